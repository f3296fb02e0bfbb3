using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.MetricsAggregator;

public interface ILogger
{
    void Warn(string message);
}

public interface IMetricsSink
{
    void Write(IReadOnlyDictionary<string, long> counters, IReadOnlyList<double> histogram);

    Task WriteAsync(IReadOnlyDictionary<string, long> counters, CancellationToken cancellationToken);
}

public readonly record struct GaugeKey(string Name, string Host);

public sealed class MetricsAggregator : IDisposable
{
    private const int ShardCount = 8;

    private readonly object _countersLock = new();
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly long[] _shardTotals = new long[ShardCount];
    private readonly Dictionary<GaugeKey, double> _gauges = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly List<double> _histogram = new();
    private readonly List<TimeSpan> _timings = new();
    private readonly IMetricsSink _sink;
    private readonly ILogger _logger;
    private SpinLock _histogramSpin = new(enableThreadOwnerTracking: false);
    private readonly SpinLock _timingSpin = new(enableThreadOwnerTracking: false); // expect: CONC034

    public MetricsAggregator(IMetricsSink sink, ILogger logger)
    {
        _sink = sink;
        _logger = logger;
    }

    public void Increment(string name, long delta = 1)
    {
        lock (_countersLock)
        {
            _counters[name] = _counters.GetValueOrDefault(name) + delta;
        }
    }

    // Hot counters are spread over shards to cut contention on the main lock.
    public void IncrementSharded(string name, long delta)
    {
        var shard = (name.GetHashCode() & int.MaxValue) % ShardCount;
        Monitor.Enter(shard); // expect: CONC034
        try
        {
            _shardTotals[shard] += delta;
        }
        finally
        {
            Monitor.Exit(shard);
        }
    }

    public void SetGauge(GaugeKey key, double value)
    {
        Monitor.Enter(key); // expect: CONC034
        try
        {
            _gauges[key] = value;
        }
        finally
        {
            Monitor.Exit(key);
        }
    }

    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            _logger.Warn("Dropping NaN observation.");
            return;
        }

        var taken = false;
        try
        {
            _histogramSpin.Enter(ref taken);
            _histogram.Add(value);
        }
        finally
        {
            if (taken)
            {
                _histogramSpin.Exit(useMemoryBarrier: false);
            }
        }
    }

    public void RecordTiming(TimeSpan elapsed)
    {
        var taken = false;
        try
        {
            _timingSpin.Enter(ref taken);
            _timings.Add(elapsed);
        }
        finally
        {
            if (taken)
            {
                _timingSpin.Exit();
            }
        }
    }

    public double[] SnapshotHistogram()
    {
        var spin = _histogramSpin; // expect: CONC034
        var taken = false;
        try
        {
            spin.Enter(ref taken);
            return _histogram.ToArray();
        }
        finally
        {
            if (taken)
            {
                spin.Exit();
            }
        }
    }

    public IReadOnlyDictionary<string, long> SnapshotCounters()
    {
        Monitor.Enter(_countersLock); // expect: CONC033
        var snapshot = new Dictionary<string, long>(_counters, StringComparer.Ordinal);
        Monitor.Exit(_countersLock);
        return snapshot;
    }

    public void ResetCounters()
    {
        lock (_countersLock)
        {
            _counters.Clear();
        }
    }

    public long PeekCounter(string name)
    {
        var taken = false;
        try
        {
            Monitor.Enter(_countersLock, ref taken);
            return _counters.GetValueOrDefault(name);
        }
        finally
        {
            if (taken)
            {
                Monitor.Exit(_countersLock);
            }
        }
    }

    public void Flush()
    {
        _flushGate.Wait(); // expect: CONC033
        var counters = SnapshotCounters();
        _sink.Write(counters, SnapshotHistogram());
        _flushGate.Release();
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counters = SnapshotCounters();
            await _sink.WriteAsync(counters, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushGate.Release();
        }
    }

    public async Task<bool> TryFlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (await _flushGate.WaitAsync(timeout, cancellationToken))
        {
            try
            {
                await _sink.WriteAsync(SnapshotCounters(), cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                _flushGate.Release();
            }
        }

        _logger.Warn("Flush skipped: another flush is still running.");
        return false;
    }

    public void Dispose() => _flushGate.Dispose();
}
