using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Signalling;

public sealed class StartupGate : IDisposable
{
    private readonly ManualResetEventSlim _ready = new(false);
    private volatile string? _failure;

    public void MarkReady() => _ready.Set();

    public void MarkFailed(string reason)
    {
        _failure = reason;
        _ready.Set();
    }

    public void WaitUntilReady(TimeSpan timeout)
    {
        if (!_ready.Wait(timeout))
        {
            throw new TimeoutException("Service did not become ready.");
        }

        if (_failure is { } reason)
        {
            throw new InvalidOperationException($"Startup failed: {reason}");
        }
    }

    public void Dispose() => _ready.Dispose();
}

public sealed class ChecksumFanOut
{
    public IReadOnlyDictionary<string, long> ComputeAll(IReadOnlyList<string> paths)
    {
        var results = new ConcurrentDictionary<string, long>();
        using var remaining = new CountdownEvent(paths.Count);
        foreach (var path in paths)
        {
            ThreadPool.QueueUserWorkItem(p =>
            {
                try
                {
                    results[p] = Checksum(p);
                }
                finally
                {
                    remaining.Signal();
                }
            }, path, preferLocal: false);
        }

        remaining.Wait();
        return results;
    }

    private static long Checksum(string path)
    {
        long sum = 0;
        foreach (var b in File.ReadAllBytes(path))
        {
            sum = unchecked(sum * 31 + b);
        }
        return sum;
    }
}

public sealed class ThrottledUploader
{
    private readonly SemaphoreSlim _concurrency = new(4, 4);
    private readonly Func<string, byte[], CancellationToken, Task> _upload;
    private int _uploaded;

    public ThrottledUploader(Func<string, byte[], CancellationToken, Task> upload) => _upload = upload;

    public int Uploaded => Volatile.Read(ref _uploaded);

    public async Task UploadAllAsync(IEnumerable<string> paths, CancellationToken token)
    {
        var uploads = paths.Select(p => UploadOneAsync(p, token)).ToList();
        await Task.WhenAll(uploads).ConfigureAwait(false);
        Console.WriteLine($"Uploaded {Uploaded} files");
    }

    private async Task UploadOneAsync(string path, CancellationToken token)
    {
        await _concurrency.WaitAsync(token).ConfigureAwait(false);
        try
        {
            // The exporter may still hold the file; read it on a pool thread with a short sync retry.
            var bytes = await Task.Run(() =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return File.ReadAllBytes(path);
                    }
                    catch (IOException) when (attempt < 5)
                    {
                        Thread.Sleep(50 * attempt);
                    }
                }
            }, token).ConfigureAwait(false);

            await _upload(path, bytes, token).ConfigureAwait(false);
            Interlocked.Increment(ref _uploaded);
        }
        finally
        {
            _concurrency.Release();
        }
    }
}

public sealed class WarmupCoordinator
{
    private readonly TaskCompletionSource<int> _warmed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<int> WarmAsync(IReadOnlyList<Action> warmers)
    {
        var thread = new Thread(() =>
        {
            try
            {
                var done = 0;
                foreach (var warm in warmers)
                {
                    warm();
                    done++;
                    Thread.Sleep(10); // spread the load on the cold database
                }
                _warmed.TrySetResult(done);
            }
            catch (Exception ex)
            {
                _warmed.TrySetException(ex);
            }
        }) { IsBackground = true, Name = "cache-warmup" };
        thread.Start();

        var count = await _warmed.Task.ConfigureAwait(false);
        thread.Join();
        return count;
    }
}
