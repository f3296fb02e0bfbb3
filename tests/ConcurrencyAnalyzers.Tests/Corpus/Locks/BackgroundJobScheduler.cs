using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.BackgroundJobScheduler;

public interface ILogger
{
    void Info(string message);
    void Error(string message, Exception error);
}

public interface IHostedService
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

public sealed record ScheduledJob(string Name, Func<CancellationToken, Task> Work, int Attempt);

public sealed record JobResult(string JobName, bool Succeeded, TimeSpan Duration, string? Error);

public sealed class JobScheduler : IHostedService
{
    private const int MaxHistory = 200;

    private readonly object _queueLock = new();
    private readonly object _statsLock = new();
    private readonly Queue<ScheduledJob> _queue = new();
    private readonly List<Action<JobResult>> _completionCallbacks = new();
    private readonly List<JobResult> _history = new();
    private readonly Dictionary<string, ScheduledJob> _failedJobs = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private bool _accepting;
    private int _lastQueueDepthSample;

    public JobScheduler(ILogger logger)
    {
        _logger = logger;
        lock (_queueLock)
        {
            // Stored now, invoked later by RunDueJobsAsync after the queue lock is released.
            _completionCallbacks.Add(result =>
            {
                lock (_statsLock)
                {
                    _history.Add(result);
                    if (_history.Count > MaxHistory)
                    {
                        _history.RemoveAt(0);
                    }
                }
            });
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_queueLock)
        {
            _accepting = true;
        }

        _logger.Info("Job scheduler started.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_queueLock)
        {
            _accepting = false;
            _queue.Clear();
        }

        _logger.Info("Job scheduler stopped.");
        return Task.CompletedTask;
    }

    public bool Enqueue(string name, Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_queueLock)
        {
            if (!_accepting)
            {
                return false;
            }

            _queue.Enqueue(new ScheduledJob(name, work, 1));
            return true;
        }
    }

    public void OnCompleted(Action<JobResult> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_queueLock)
        {
            _completionCallbacks.Add(callback);
        }
    }

    public async Task<int> RunDueJobsAsync(CancellationToken cancellationToken)
    {
        ScheduledJob[] batch;
        Action<JobResult>[] callbacks;
        lock (_queueLock)
        {
            batch = _queue.ToArray();
            _queue.Clear();
            callbacks = _completionCallbacks.ToArray();
        }

        foreach (var job in batch)
        {
            var stopwatch = Stopwatch.StartNew();
            JobResult result;
            try
            {
                await job.Work(cancellationToken).ConfigureAwait(false);
                result = new JobResult(job.Name, true, stopwatch.Elapsed, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.Error($"Job {job.Name} failed on attempt {job.Attempt}.", ex);
                result = new JobResult(job.Name, false, stopwatch.Elapsed, ex.Message);
                lock (_statsLock)
                {
                    _failedJobs[job.Name] = job;
                }
            }

            foreach (var callback in callbacks)
            {
                callback(result);
            }
        }

        return batch.Length;
    }

    public int RetryFailed()
    {
        lock (_statsLock)
        {
            var retried = 0;
            lock (_queueLock)
            {
                foreach (var job in _failedJobs.Values)
                {
                    _queue.Enqueue(job with { Attempt = job.Attempt + 1 });
                    retried++;
                }
            }

            _failedJobs.Clear();
            return retried;
        }
    }

    public void SampleQueueDepth()
    {
        lock (_queueLock)
        {
            var depth = _queue.Count;

            // Recorded off the caller's thread; the stats lock is taken by the task, not here.
            _ = Task.Run(() => // expect: CONC010
            {
                lock (_statsLock)
                {
                    _lastQueueDepthSample = depth;
                }
            });
        }
    }

    public (int Succeeded, int Failed, int LastQueueDepth) GetSummary()
    {
        lock (_statsLock)
        {
            return (_history.Count(r => r.Succeeded), _history.Count(r => !r.Succeeded), _lastQueueDepthSample);
        }
    }
}
