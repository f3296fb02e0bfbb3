using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Legacy;

public sealed record BatchResult(int Succeeded, int Failed);

public sealed class BatchCompletedEventArgs : EventArgs
{
    public BatchCompletedEventArgs(BatchResult result) => Result = result;

    public BatchResult Result { get; }
}

// Wrapper around the old batch engine: Begin() returns immediately and Completed fires later.
public sealed class BatchJob
{
    private readonly IReadOnlyList<Func<bool>> _steps;

    public BatchJob(IReadOnlyList<Func<bool>> steps) => _steps = steps;

    public event EventHandler<BatchCompletedEventArgs>? Completed;

    public void Begin()
    {
        ThreadPool.QueueUserWorkItem(_ =>
        {
            int ok = 0, failed = 0;
            foreach (var step in _steps)
            {
                if (step()) ok++; else failed++;
            }

            Completed?.Invoke(this, new BatchCompletedEventArgs(new BatchResult(ok, failed)));
        });
    }
}

public sealed class LegacyBatchRunner
{
    private readonly Action<string> _import;
    private readonly List<string> _failures = new();
    private int _processed;

    public LegacyBatchRunner(Action<string> import) => _import = import;

    public IReadOnlyList<string> Failures
    {
        get { lock (_failures) return _failures.ToArray(); }
    }

    public int ImportFiles(IReadOnlyList<string> paths)
    {
        _processed = 0;
        foreach (var path in paths)
        {
            ThreadPool.QueueUserWorkItem(state =>
            {
                var p = (string)state!;
                try
                {
                    _import(p);
                    Interlocked.Increment(ref _processed);
                }
                catch (IOException)
                {
                    lock (_failures) _failures.Add(p);
                }
            }, path);
        }

        // ~50 ms per file on the old SAN.
        Thread.Sleep(paths.Count * 50); // expect: CONC021
        return _processed;
    }

    public int ImportFilesAndWait(IReadOnlyList<string> paths)
    {
        _processed = 0;
        var work = new Task[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            var p = paths[i];
            work[i] = Task.Run(() =>
            {
                _import(p);
                Interlocked.Increment(ref _processed);
            });
        }

        try { Task.WaitAll(work); } catch (AggregateException) { /* failed imports are simply not counted */ }
        return Volatile.Read(ref _processed);
    }

    public string[] ArchiveOld(string directory, DateTime olderThanUtc)
    {
        var archived = new ConcurrentBag<string>();
        Task.Factory.StartNew(() => // expect: CONC010
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.csv"))
            {
                if (File.GetLastWriteTimeUtc(file) < olderThanUtc)
                {
                    File.Move(file, file + ".archived", overwrite: true);
                    archived.Add(file);
                }
            }
        }, TaskCreationOptions.LongRunning);

        Task.Delay(TimeSpan.FromSeconds(5)).Wait(); // expect: CONC021
        return archived.ToArray();
    }

    public BatchResult RunJob(BatchJob job)
    {
        var completed = false;
        BatchResult? result = null;
        job.Completed += (_, e) =>
        {
            result = e.Result;
            completed = true;
        };

        job.Begin();
        while (!completed) // expect: CONC022
        {
            Thread.Sleep(10);
        }

        return result ?? new BatchResult(0, 0);
    }

    public BatchResult RunJobWithEvent(BatchJob job, TimeSpan timeout)
    {
        using var done = new ManualResetEventSlim(false);
        BatchResult? result = null;
        job.Completed += (_, e) =>
        {
            result = e.Result;
            done.Set();
        };

        job.Begin();
        if (!done.Wait(timeout))
        {
            throw new TimeoutException("Batch job did not complete.");
        }

        return result ?? new BatchResult(0, 0);
    }
}
