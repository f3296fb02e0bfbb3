using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Telemetry;

public sealed record TelemetryEvent(string Name, DateTime TimestampUtc, IReadOnlyDictionary<string, string> Properties);

public interface ITelemetrySink : IDisposable
{
    Task SendAsync(IReadOnlyList<TelemetryEvent> batch);
}

/// <summary>
/// Buffers telemetry in memory and ships it to the sink in batches on a dedicated thread.
/// </summary>
public sealed class TelemetryFlusher : IDisposable
{
    private const int MaxBatchSize = 256;

    private readonly ConcurrentQueue<TelemetryEvent> _buffer = new();
    private readonly ITelemetrySink _sink;
    private readonly TimeSpan _interval;
    private volatile bool _stopping;
    private int _pendingBatches;
    private Task _flushLoop = Task.CompletedTask;

    public TelemetryFlusher(ITelemetrySink sink, TimeSpan interval)
    {
        _sink = sink;
        _interval = interval;
    }

    public void Start()
    {
        _flushLoop = Task.Factory.StartNew(FlushLoop, TaskCreationOptions.LongRunning);
    }

    public void Track(string name, IReadOnlyDictionary<string, string>? properties = null)
    {
        if (_stopping)
        {
            return;
        }

        _buffer.Enqueue(new TelemetryEvent(name, DateTime.UtcNow, properties ?? new Dictionary<string, string>()));
    }

    // Periodic worker: real work on every iteration, then a pause.
    private void FlushLoop()
    {
        while (!_stopping)
        {
            FlushOnce();
            Thread.Sleep(_interval);
        }

        while (FlushOnce() > 0)
        {
        }
    }

    private int FlushOnce()
    {
        var batch = new List<TelemetryEvent>(MaxBatchSize);
        while (batch.Count < MaxBatchSize && _buffer.TryDequeue(out var item))
        {
            batch.Add(item);
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        Interlocked.Increment(ref _pendingBatches);
        _sink.SendAsync(batch).ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    Console.Error.WriteLine($"telemetry: dropped {batch.Count} events: {t.Exception?.GetBaseException().Message}");
                }

                Interlocked.Decrement(ref _pendingBatches);
            },
            TaskScheduler.Default);
        return batch.Count;
    }

    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        _stopping = true;
        try
        {
            await _flushLoop.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stopping = true;

        while (!_flushLoop.IsCompleted) // expect: CONC022
        {
            Thread.Sleep(25);
        }

        SpinWait.SpinUntil(() => _pendingBatches == 0); // expect: CONC022

        _sink.Dispose();
    }
}
