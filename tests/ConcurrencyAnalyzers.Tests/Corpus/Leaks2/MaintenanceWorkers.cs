using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.MaintenanceWorkers;

// ---- minimal Microsoft.Extensions.Hosting shapes ----------------------------------------------

public interface IHostedService
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

public interface ILogger
{
    void Log(string message);
}

public abstract class BackgroundService : IHostedService, IDisposable
{
    private Task? _executeTask;
    private CancellationTokenSource? _stoppingCts;

    public virtual Task? ExecuteTask => _executeTask;

    protected abstract Task ExecuteAsync(CancellationToken stoppingToken);

    public virtual Task StartAsync(CancellationToken cancellationToken)
    {
        _stoppingCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _executeTask = ExecuteAsync(_stoppingCts.Token);
        return _executeTask.IsCompleted ? _executeTask : Task.CompletedTask;
    }

    public virtual async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_executeTask is null)
        {
            return;
        }

        try
        {
            _stoppingCts!.Cancel();
        }
        finally
        {
            // Wait until ExecuteAsync finishes or the host's shutdown timeout elapses.
            await Task.WhenAny(_executeTask, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }
    }

    public virtual void Dispose()
    {
        _stoppingCts?.Cancel();
        _stoppingCts?.Dispose();
    }
}

// ---- application code -------------------------------------------------------------------------

public interface ISessionStore
{
    Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    Task CompactAsync(CancellationToken cancellationToken = default);
}

public interface IMetricsSink
{
    Task FlushAsync(CancellationToken cancellationToken = default);
}

public sealed class MaintenanceWorker : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);

    private readonly ISessionStore _sessions;
    private readonly IMetricsSink _metrics;
    private readonly ILogger _logger;
    private long _sweeps;

    public MaintenanceWorker(ISessionStore sessions, IMetricsSink metrics, ILogger logger)
    {
        _sessions = sessions;
        _metrics = metrics;
        _logger = logger;
    }

    public long CompletedSweeps => Interlocked.Read(ref _sweeps);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var health = new Thread(ReportProcessHealth) { IsBackground = true, Name = "maintenance-health" };
        health.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            SweepSessionsAsync(stoppingToken),
            FlushMetricsAsync(stoppingToken),
            CompactNightlyAsync(stoppingToken));

    private async Task SweepSessionsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var removed = await _sessions.RemoveExpiredAsync(DateTimeOffset.UtcNow, stoppingToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _sweeps);
                    if (removed > 0)
                    {
                        _logger.Log($"removed {removed} expired sessions");
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.Log($"session sweep failed: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host is stopping
        }
    }

    private async Task FlushMetricsAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(FlushInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // One last flush on the way out, bounded so a slow sink cannot hold up shutdown.
                using var finalFlush = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _metrics.FlushAsync(finalFlush.Token).ConfigureAwait(false);
                return;
            }

            await _metrics.FlushAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task CompactNightlyAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            var nextRun = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1).AddHours(3), TimeSpan.Zero);
            await Task.Delay(nextRun - now, stoppingToken).ConfigureAwait(false);

            await _sessions.CompactAsync().ConfigureAwait(false); // expect: CONC012
            _logger.Log("session store compacted");
        }
    }

    private void ReportProcessHealth()
    {
        while (true) // expect: CONC011
        {
            Thread.Sleep(TimeSpan.FromMinutes(5));
            using var process = Process.GetCurrentProcess();
            _logger.Log($"working set {process.WorkingSet64 / (1024 * 1024)} MB, {process.Threads.Count} threads");
        }
    }
}
