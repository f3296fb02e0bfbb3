using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace Corpus.Channels.Thumbnails
{
    public sealed record ThumbnailJob(string SourcePath, string TargetPath);

    public sealed record ThumbnailResult(string SourcePath, bool Succeeded, long Bytes, string? Error);

    public interface IImageResizer
    {
        /// <summary>Blocking; the codec is native and not async-aware.</summary>
        long Resize(string sourcePath, string targetPath, int maxEdge);
    }

    /// <summary>
    /// Command-line batch: scans one or more photo libraries and renders thumbnails on a
    /// fixed number of threads, writing a CSV report of what was done.
    /// </summary>
    public sealed class ThumbnailBatch
    {
        private static readonly string[] Extensions = { ".jpg", ".jpeg", ".png" };

        private readonly IImageResizer _resizer;
        private readonly string _outputRoot;
        private readonly int _maxEdge;
        private int _rendered;
        private int _failed;

        public ThumbnailBatch(IImageResizer resizer, string outputRoot, int maxEdge = 320)
        {
            _resizer = resizer;
            _outputRoot = outputRoot;
            _maxEdge = maxEdge;
        }

        public int Rendered => Volatile.Read(ref _rendered);
        public int Failed => Volatile.Read(ref _failed);

        public void Run(IReadOnlyList<string> libraryRoots, int renderThreads, string reportPath)
        {
            using var work = new BlockingCollection<ThumbnailJob>(boundedCapacity: 256);
            using var results = new BlockingCollection<ThumbnailResult>();

            var scanners = new List<Thread>();
            foreach (var root in libraryRoots)
            {
                var scanner = new Thread(() =>
                {
                    try
                    {
                        Scan(root, work);
                    }
                    finally
                    {
                        work.CompleteAdding(); // expect: CONC041
                    }
                })
                {
                    IsBackground = true,
                    Name = "scan:" + Path.GetFileName(root),
                };
                scanners.Add(scanner);
                scanner.Start();
            }

            var renderers = new List<Thread>();
            foreach (var index in Enumerable.Range(0, renderThreads))
            {
                var renderer = new Thread(() => Render(work, results)) { IsBackground = true, Name = $"render-{index}" };
                renderers.Add(renderer);
                renderer.Start();
            }

            var reporter = new Thread(() => WriteReport(results, reportPath)) { Name = "report" };
            reporter.Start();

            scanners.ForEach(t => t.Join());
            renderers.ForEach(t => t.Join());
            reporter.Join();
        }

        private void Scan(string root, BlockingCollection<ThumbnailJob> work)
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
            foreach (var path in Directory.EnumerateFiles(root, "*", options))
            {
                if (Array.IndexOf(Extensions, Path.GetExtension(path).ToLowerInvariant()) < 0)
                {
                    continue;
                }

                var relative = Path.GetRelativePath(root, path);
                var target = Path.Combine(_outputRoot, Path.GetFileName(root), Path.ChangeExtension(relative, ".thumb.jpg"));
                work.Add(new ThumbnailJob(path, target));
            }
        }

        private void Render(BlockingCollection<ThumbnailJob> work, BlockingCollection<ThumbnailResult> results)
        {
            foreach (var job in work.GetConsumingEnumerable())
            {
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(job.TargetPath)!);
                    var bytes = _resizer.Resize(job.SourcePath, job.TargetPath, _maxEdge);
                    Interlocked.Increment(ref _rendered);
                    results.Add(new ThumbnailResult(job.SourcePath, true, bytes, null));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    Interlocked.Increment(ref _failed);
                    results.Add(new ThumbnailResult(job.SourcePath, false, 0, ex.Message));
                }
            }
        }

        private static void WriteReport(BlockingCollection<ThumbnailResult> results, string reportPath)
        {
            using var writer = new StreamWriter(reportPath);
            writer.WriteLine("source,ok,bytes,error");

            foreach (var result in results.GetConsumingEnumerable()) // expect: CONC042
            {
                var error = result.Error?.Replace('"', '\'') ?? string.Empty;
                writer.WriteLine($"\"{result.SourcePath}\",{result.Succeeded},{result.Bytes},\"{error}\"");
            }
        }
    }
}
