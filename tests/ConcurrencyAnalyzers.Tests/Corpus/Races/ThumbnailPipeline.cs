using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Media
{
    public sealed record ImageJob(string SourcePath, int Width, int Height);

    public sealed record ThumbnailResult(string SourcePath, string ThumbPath, long Bytes, bool Succeeded, int WorkerId);

    public interface IThumbnailRenderer
    {
        long Render(string source, string destination, int width, int height);
    }

    /// <summary>
    /// Producer/consumer pipeline: the caller's thread feeds a bounded queue, a fixed number
    /// of workers render thumbnails, and results are merged after all workers finished.
    /// </summary>
    public sealed class ThumbnailPipeline
    {
        private readonly IThumbnailRenderer _renderer;
        private readonly string _outputDirectory;
        private long _totalBytes;
        private int _completed;

        public ThumbnailPipeline(IThumbnailRenderer renderer, string outputDirectory)
        {
            _renderer = renderer;
            _outputDirectory = outputDirectory;
        }

        public (int Completed, long TotalBytes) Progress =>
            (Volatile.Read(ref _completed), Interlocked.Read(ref _totalBytes));

        public async Task<IReadOnlyList<ThumbnailResult>> RunAsync(IEnumerable<ImageJob> jobs, int workerCount, CancellationToken ct)
        {
            _completed = 0;
            _totalBytes = 0;

            using var queue = new BlockingCollection<ImageJob>(boundedCapacity: workerCount * 4);
            var perWorker = new List<ThumbnailResult>[workerCount];
            var workers = new Task[workerCount];

            for (int i = 0; i < workerCount; i++)
            {
                int workerId = i;
                workers[workerId] = Task.Run(() =>
                {
                    var mine = new List<ThumbnailResult>();
                    foreach (var job in queue.GetConsumingEnumerable(ct))
                    {
                        var result = Process(job, workerId);
                        mine.Add(result);
                        Interlocked.Add(ref _totalBytes, result.Bytes);
                        Interlocked.Increment(ref _completed);
                    }
                    perWorker[workerId] = mine;
                }, ct);
            }

            try
            {
                foreach (var job in jobs)
                {
                    queue.Add(job, ct);
                }
            }
            finally
            {
                queue.CompleteAdding();
            }

            await Task.WhenAll(workers).ConfigureAwait(false);

            var all = new List<ThumbnailResult>();
            foreach (var bucket in perWorker)
            {
                all.AddRange(bucket);
            }
            all.Sort((a, b) => string.CompareOrdinal(a.SourcePath, b.SourcePath));
            return all;
        }

        private ThumbnailResult Process(ImageJob job, int workerId)
        {
            var name = Path.GetFileNameWithoutExtension(job.SourcePath);
            var destination = Path.Combine(_outputDirectory, $"{name}_{job.Width}x{job.Height}.jpg");
            try
            {
                long bytes = _renderer.Render(job.SourcePath, destination, job.Width, job.Height);
                return new ThumbnailResult(job.SourcePath, destination, bytes, true, workerId);
            }
            catch (IOException)
            {
                return new ThumbnailResult(job.SourcePath, destination, 0, false, workerId);
            }
        }

        public static IReadOnlyList<ImageJob> PlanJobs(IEnumerable<string> sources, IReadOnlyList<(int W, int H)> sizes)
        {
            return sources
                .SelectMany(s => sizes.Select(size => new ImageJob(s, size.W, size.H)))
                .ToList();
        }
    }
}
