using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Corpus.Locks2.TelemetryBatcher;

public interface ITelemetrySink
{
    void Write(IReadOnlyList<TelemetryPoint> batch);
}

public interface ITelemetryLogger
{
    void Warn(string message);

    void Error(Exception exception, string message);
}

public sealed record TelemetryPoint(string Metric, double Value, string Tenant, DateTimeOffset At);

public class TelemetryBatcher : IDisposable
{
    private static int s_liveInstances;

    // Exposed so the exporter can pause flushing while it fails over to another sink.
    public readonly object FlushSync = new();

    private object _bufferSync = new(); // expect: CONC032
    private readonly ConcurrentDictionary<string, TenantQuota> _quotas = new(StringComparer.Ordinal);
    private readonly ITelemetrySink _sink;
    private readonly ITelemetryLogger _log;
    private readonly Timer _flushTimer;
    private readonly int _maxBatch;
    private readonly int _pointsPerMinute;
    private List<TelemetryPoint> _buffer = new();
    private long _dropped;
    private int _quotaResets;
    private string _lastResetReason = string.Empty;
    private bool _disposed;

    public TelemetryBatcher(ITelemetrySink sink, ITelemetryLogger log, int maxBatch, int pointsPerMinute, TimeSpan flushInterval)
    {
        if (maxBatch <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatch), "Batch size must be positive.");
        }

        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _maxBatch = maxBatch;
        _pointsPerMinute = pointsPerMinute;
        lock (typeof(TelemetryBatcher)) // expect: CONC031
        {
            s_liveInstances++;
        }

        _flushTimer = new Timer(_ => FlushFromTimer(), null, flushInterval, flushInterval);
    }

    public static int LiveInstances => Volatile.Read(ref s_liveInstances);

    public long Dropped => Interlocked.Read(ref _dropped);

    public (int Count, string Reason) LastQuotaReset => (_quotaResets, _lastResetReason);

    public void Record(TelemetryPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (!TryConsumeQuota(point.Tenant, 1))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        var overflowed = false;
        lock (_bufferSync)
        {
            _buffer.Add(point);
            if (_buffer.Count > _maxBatch * 4)
            {
                _buffer.RemoveAt(0);
                overflowed = true;
            }
        }

        if (overflowed)
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public bool TryConsumeQuota(string tenant, int points)
    {
        var quota = _quotas.GetOrAdd(tenant, _ => new TenantQuota(_pointsPerMinute));
        lock (tenant) // expect: CONC031
        {
            var now = DateTimeOffset.UtcNow;
            if (now - quota.WindowStart >= TimeSpan.FromMinutes(1))
            {
                quota.WindowStart = now;
                quota.Remaining = _pointsPerMinute;
            }

            if (quota.Remaining < points)
            {
                return false;
            }

            quota.Remaining -= points;
            return true;
        }
    }

    public void ResetQuotas(string reason)
    {
        var resetGate = new object();
        lock (resetGate) // expect: CONC031
        {
            _quotaResets++;
            _lastResetReason = reason;
        }

        foreach (var (tenant, quota) in _quotas)
        {
            lock (tenant) // expect: CONC031
            {
                quota.Remaining = _pointsPerMinute;
                quota.WindowStart = DateTimeOffset.UtcNow;
            }
        }

        _log.Warn($"Telemetry quotas reset for {_quotas.Count} tenant(s): {reason}.");
    }

    public void Flush()
    {
        lock (FlushSync) // expect: CONC031
        {
            List<TelemetryPoint> batch;
            lock (_bufferSync)
            {
                if (_buffer.Count == 0)
                {
                    return;
                }

                batch = _buffer;
                _buffer = new List<TelemetryPoint>(_maxBatch);
            }

            for (var offset = 0; offset < batch.Count; offset += _maxBatch)
            {
                var count = Math.Min(_maxBatch, batch.Count - offset);
                _sink.Write(batch.GetRange(offset, count));
            }
        }
    }

    public void Dispose()
    {
        lock (this) // expect: CONC031
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _flushTimer.Dispose();
        lock (typeof(TelemetryBatcher)) // expect: CONC031
        {
            s_liveInstances--;
        }

        Flush();
        GC.SuppressFinalize(this);
    }

    private void FlushFromTimer()
    {
        try
        {
            Flush();
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Scheduled telemetry flush failed.");
        }
    }

    private sealed class TenantQuota
    {
        public TenantQuota(int remaining)
        {
            Remaining = remaining;
            WindowStart = DateTimeOffset.UtcNow;
        }

        public int Remaining { get; set; }

        public DateTimeOffset WindowStart { get; set; }
    }
}
