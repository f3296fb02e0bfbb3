using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks.TimerPoller;

public sealed record Job(Guid Id, string Kind, string Payload);

public interface IJobStore
{
    Task<IReadOnlyList<Job>> FetchDueAsync(int max, CancellationToken cancellationToken);
    Task MarkDoneAsync(Guid id, CancellationToken cancellationToken);
}

public interface IInventorySource
{
    Task<int> PullChangesAsync(CancellationToken cancellationToken);
}

/// <summary>Runs due jobs from the job table on a fixed timer.</summary>
public sealed class DueJobPoller : IDisposable
{
    private readonly IJobStore _store;
    private readonly Func<Job, CancellationToken, Task> _execute;
    private readonly Timer _timer;
    private int _polling; // 1 while a poll is in progress

    public DueJobPoller(IJobStore store, Func<Job, CancellationToken, Task> execute, TimeSpan interval)
    {
        _store = store;
        _execute = execute;
        _timer = new Timer(async _ => await PollAsync(), null, interval, interval); // expect: CONC010
    }

    private async Task PollAsync()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return; // the previous tick is still running
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var jobs = await _store.FetchDueAsync(100, cts.Token);
            foreach (var job in jobs)
            {
                await _execute(job, cts.Token);
                await _store.MarkDoneAsync(job.Id, cts.Token);
            }
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>Sweeps the outbox on a timer, or sooner when nudged. The timer only signals; the sweep runs in RunAsync.</summary>
public sealed class OutboxSweeper : IDisposable
{
    private readonly Channel<bool> _wakeUps = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly Func<CancellationToken, Task> _sweep;
    private readonly Timer _timer;

    public OutboxSweeper(Func<CancellationToken, Task> sweep, TimeSpan interval)
    {
        _sweep = sweep;
        _timer = new Timer(_ => _wakeUps.Writer.TryWrite(true), null, interval, interval); // expect: CONC040
    }

    public void Nudge() => _wakeUps.Writer.TryWrite(true); // expect: CONC040

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var wakeUp in _wakeUps.Reader.ReadAllAsync(cancellationToken))
        {
            await _sweep(cancellationToken);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _wakeUps.Writer.TryComplete();
    }
}

/// <summary>Reads a hardware sensor on a dedicated thread.</summary>
public sealed class SensorPoller : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _worker;
    private long _lastReadingTicks;

    public SensorPoller(Func<double> readSensor, Action<double> publish, TimeSpan interval)
    {
        var token = _cts.Token;
        _worker = Task.Factory.StartNew(
            () => PollLoop(readSensor, publish, interval, token),
            token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    public DateTime LastReadingUtc => new(Interlocked.Read(ref _lastReadingTicks), DateTimeKind.Utc);

    private void PollLoop(Func<double> readSensor, Action<double> publish, TimeSpan interval, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            publish(readSensor());
            Interlocked.Exchange(ref _lastReadingTicks, DateTime.UtcNow.Ticks);
            token.WaitHandle.WaitOne(interval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        await _worker;
        _cts.Dispose();
    }
}

/// <summary>Ships telemetry lines from a dedicated background thread.</summary>
public sealed class TelemetryPump
{
    private readonly ConcurrentQueue<string> _outbox = new();
    private readonly AutoResetEvent _signal = new(false);
    private readonly Action<string> _send;

    public TelemetryPump(Action<string> send) => _send = send;

    public void Start()
    {
        var thread = new Thread(PumpLoop) { IsBackground = true, Name = "telemetry-pump" };
        thread.Start();
    }

    public void Post(string line)
    {
        _outbox.Enqueue(line);
        _signal.Set();
    }

    private void PumpLoop()
    {
        while (true) // expect: CONC011
        {
            _signal.WaitOne();
            while (_outbox.TryDequeue(out var line))
            {
                try
                {
                    _send(line);
                }
                catch (Exception ex)
                {
                    Console.Error.WriteLine($"telemetry send failed: {ex.Message}");
                }
            }
        }
    }
}

/// <summary>Pulls inventory changes from the warehouse system every few seconds.</summary>
public sealed class InventorySyncPoller
{
    private readonly IInventorySource _source;
    private readonly Action<string> _log;
    private readonly TimeSpan _interval;

    public InventorySyncPoller(IInventorySource source, Action<string> log, TimeSpan interval)
    {
        _source = source;
        _log = log;
        _interval = interval;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var changed = await _source.PullChangesAsync(cancellationToken);
                if (changed > 0)
                {
                    _log($"Synced {changed} inventory changes.");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log($"Inventory sync failed: {ex.Message}");
            }

            await Task.Delay(_interval); // expect: CONC012
        }
    }
}
