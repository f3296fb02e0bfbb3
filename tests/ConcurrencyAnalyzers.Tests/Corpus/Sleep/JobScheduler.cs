using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Scheduling;

public sealed record JobDefinition(string Name, TimeSpan Every, Action Run);

public sealed class JobScheduler
{
    private readonly ConcurrentDictionary<string, DateTime> _lastRunUtc = new();
    private readonly IReadOnlyDictionary<string, JobDefinition> _jobs;
    private volatile string? _lastError;
    private volatile bool _nightlyDone;

    public JobScheduler(IEnumerable<JobDefinition> jobs) => _jobs = jobs.ToDictionary(j => j.Name);

    public string? LastError => _lastError;

    // Ops button: "run nightly now-ish and tell me whether it worked".
    public bool TriggerNightly()
    {
        _nightlyDone = false;
        _lastError = null;

        var timer = new Timer(_ =>
        {
            try
            {
                RunJob("nightly");
            }
            catch (Exception ex)
            {
                _lastError = ex.Message;
            }
            finally
            {
                _nightlyDone = true;
            }
        }, null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);

        Thread.Sleep(TimeSpan.FromSeconds(2)); // expect: CONC021
        timer.Dispose();
        return _nightlyDone && _lastError is null;
    }

    // Same feature with a real completion signal.
    public async Task<bool> TriggerNightlyAsync(CancellationToken token)
    {
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = new Timer(_ =>
        {
            try
            {
                RunJob("nightly");
                completion.TrySetResult(true);
            }
            catch (Exception ex)
            {
                _lastError = ex.Message;
                completion.TrySetResult(false);
            }
        }, null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);

        using var registration = token.Register(() => completion.TrySetCanceled(token));
        return await completion.Task.ConfigureAwait(false);
    }

    // After a deploy, run whatever was missed while the service was down.
    public IReadOnlyList<string> CatchUpMissedRuns()
    {
        var ran = new ConcurrentQueue<string>();
        using var catchUp = new System.Timers.Timer(250) { AutoReset = false };
        catchUp.Elapsed += (_, _) =>
        {
            foreach (var job in _jobs.Values.Where(IsOverdue))
            {
                RunJob(job.Name);
                ran.Enqueue(job.Name);
            }
        };
        catchUp.Start();

        Task.Delay(1000).Wait(); // expect: CONC021
        return ran.ToArray();
    }

    public async Task RunAfterAsync(string name, TimeSpan delay, CancellationToken token)
    {
        await Task.Delay(delay, token).ConfigureAwait(false);
        RunJob(name);
    }

    public async Task RunLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            foreach (var job in _jobs.Values.Where(IsOverdue))
            {
                try
                {
                    RunJob(job.Name);
                }
                catch (Exception ex)
                {
                    _lastError = $"{job.Name}: {ex.Message}";
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private bool IsOverdue(JobDefinition job) =>
        !_lastRunUtc.TryGetValue(job.Name, out var last) || DateTime.UtcNow - last >= job.Every;

    private void RunJob(string name)
    {
        _jobs[name].Run();
        _lastRunUtc[name] = DateTime.UtcNow;
    }
}
