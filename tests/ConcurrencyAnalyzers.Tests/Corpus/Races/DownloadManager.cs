using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Downloads
{
    public sealed record DownloadResult(Uri Source, int Bytes, TimeSpan Elapsed, string? Error);

    /// <summary>Downloads release artifacts from the mirror network into the local cache.</summary>
    public sealed class DownloadManager
    {
        private readonly HttpClient _http;
        private readonly string _targetDirectory;
        private readonly TextWriter _log;

        public DownloadManager(HttpClient http, string targetDirectory, TextWriter log)
        {
            _http = http;
            _targetDirectory = targetDirectory;
            _log = log;
        }

        public async Task<DownloadResult[]> DownloadAllAsync(IReadOnlyList<Uri> sources, IProgress<int>? progress, CancellationToken ct)
        {
            var results = new DownloadResult[sources.Count];
            int completed = 0;
            long totalBytes = 0;
            var tasks = new List<Task>(sources.Count);
            for (int i = 0; i < sources.Count; i++)
            {
                int index = i;
                tasks.Add(Task.Run(async () =>
                {
                    var result = await DownloadOneAsync(sources[index], ct).ConfigureAwait(false);
                    results[index] = result;
                    totalBytes += result.Bytes;                                     // expect: CONC001
                    progress?.Report(Interlocked.Increment(ref completed));
                }, ct));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            Log($"downloaded {totalBytes} bytes in {results.Length} files");
            return results;
        }

        public Task PrefetchAsync(IReadOnlyList<Uri> sources, CancellationToken ct)
        {
            var tasks = new Task[sources.Count];
            for (int i = 0; i < sources.Count; i++)
            {
                tasks[i] = Task.Run(() => DownloadOneAsync(sources[i], ct), ct);   // expect: CONC004
            }
            return Task.WhenAll(tasks);
        }

        public async Task<IReadOnlyList<string>> ListMirrorsAsync(Uri manifest, CancellationToken ct)
        {
            var mirrors = new List<string>();
            var loader = Task.Run(async () =>
            {
                var text = await _http.GetStringAsync(manifest, ct).ConfigureAwait(false);
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (line.StartsWith("mirror:", StringComparison.Ordinal))
                    {
                        mirrors.Add(line.Substring(7).Trim());                     // expect: CONC002
                    }
                }
            }, ct);

            Log($"waiting for manifest, {mirrors.Count} mirrors known so far");
            foreach (var early in mirrors)
            {
                Log($"early mirror {early}");
            }

            await loader.ConfigureAwait(false);
            return mirrors;
        }

        public async Task<int> VerifyAsync(IReadOnlyList<string> files, CancellationToken ct)
        {
            int failures = 0;
            var archives = Task.Run(() =>
            {
                foreach (var f in files.Where(p => p.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)))
                {
                    if (!LooksComplete(f)) failures++;                             // expect: CONC001
                }
            }, ct);

            foreach (var f in files.Where(p => !p.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)))
            {
                if (!LooksComplete(f)) failures++;                                 // expect: CONC001 (the starter side of the race is reported too)
            }

            await archives.ConfigureAwait(false);
            return failures;
        }

        public async Task<long> MeasureCacheAsync()
        {
            long size = 0;
            await Task.Run(() =>
            {
                foreach (var file in Directory.EnumerateFiles(_targetDirectory))
                {
                    size += new FileInfo(file).Length;
                }
            }).ConfigureAwait(false);
            return size;
        }

        private async Task<DownloadResult> DownloadOneAsync(Uri source, CancellationToken ct)
        {
            var started = DateTime.UtcNow;
            try
            {
                var bytes = await _http.GetByteArrayAsync(source, ct).ConfigureAwait(false);
                var path = Path.Combine(_targetDirectory, Path.GetFileName(source.LocalPath));
                await File.WriteAllBytesAsync(path, bytes, ct).ConfigureAwait(false);
                return new DownloadResult(source, bytes.Length, DateTime.UtcNow - started, null);
            }
            catch (HttpRequestException ex)
            {
                return new DownloadResult(source, 0, DateTime.UtcNow - started, ex.Message);
            }
        }

        private static bool LooksComplete(string path) => File.Exists(path) && new FileInfo(path).Length > 0;

        private void Log(string message) => _log.WriteLine(message);
    }
}
