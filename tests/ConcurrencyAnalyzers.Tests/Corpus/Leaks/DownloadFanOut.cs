using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.DownloadFanOut;

public sealed record DownloadRequest(Uri Source, string TargetPath);

public sealed record DownloadResult(DownloadRequest Request, long Bytes);

/// <summary>Downloads artifact bundles listed in a manifest, a few at a time.</summary>
public sealed class BulkDownloader
{
    private readonly HttpClient _http;
    private readonly int _maxParallel;

    public BulkDownloader(HttpClient http, int maxParallel)
    {
        _http = http;
        _maxParallel = maxParallel;
    }

    public async Task<IReadOnlyList<DownloadRequest>> LoadManifestAsync(string manifestPath, string targetFolder, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(manifestPath); // expect: CONC012
        var requests = new List<DownloadRequest>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var uri = new Uri(line);
            requests.Add(new DownloadRequest(uri, Path.Combine(targetFolder, Path.GetFileName(uri.LocalPath))));
        }

        return requests;
    }

    public async Task<long> DownloadAllAsync(IEnumerable<DownloadRequest> requests, CancellationToken cancellationToken)
    {
        long totalBytes = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxParallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(requests, options, async (request, ct) =>
        {
            var bytes = await DownloadOneAsync(request, ct);
            Interlocked.Add(ref totalBytes, bytes);
        });

        return totalBytes;
    }

    // Copies each bundle to the mirror share as well as downloading it.
    public async Task MirrorAsync(IReadOnlyList<DownloadRequest> requests, string mirrorRoot, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(requests, options, async (request, ct) =>
        {
            using var response = await _http.GetAsync(request.Source, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            var mirrorPath = Path.Combine(mirrorRoot, Path.GetFileName(request.TargetPath));
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await using var file = File.Create(mirrorPath);
            await body.CopyToAsync(file); // expect: CONC012
        });
    }

    // All-or-nothing: the first failure cancels the rest of the batch.
    public async Task<IReadOnlyList<DownloadResult>> DownloadBatchAsync(IReadOnlyCollection<DownloadRequest> requests, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(_maxParallel);
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = requests.Select(async request =>
        {
            await gate.WaitAsync(failFast.Token);
            try
            {
                var bytes = await DownloadOneAsync(request, failFast.Token);
                return new DownloadResult(request, bytes);
            }
            catch
            {
                failFast.Cancel();
                throw;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();

        return await Task.WhenAll(tasks);
    }

    // Removes leftovers of interrupted downloads; nobody waits for it.
    public void ScheduleCleanup(string folder)
    {
        _ = Task.Run(() => // expect: CONC010
        {
            foreach (var partial in Directory.EnumerateFiles(folder, "*.partial"))
            {
                try
                {
                    File.Delete(partial);
                }
                catch (IOException)
                {
                    // still open by another download; try again next time
                }
            }
        });
    }

    private async Task<long> DownloadOneAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        var partialPath = request.TargetPath + ".partial";
        using (var response = await _http.GetAsync(request.Source, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var file = File.Create(partialPath);
            await body.CopyToAsync(file, cancellationToken);
        }

        File.Move(partialPath, request.TargetPath, overwrite: true);
        return new FileInfo(request.TargetPath).Length;
    }
}
