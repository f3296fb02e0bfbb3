using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Metrics;

public readonly record struct MetricPoint(string Name, double Value, long TimestampMs);

public interface IMetricsSink
{
    Task SendAsync(IReadOnlyList<MetricPoint> batch, CancellationToken cancellationToken);
}

public sealed class MetricsPumpOptions
{
    public int Capacity { get; init; } = 50_000;

    public int MaxBatch { get; init; } = 500;

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);
}

public sealed class MetricsPump : IDisposable
{
    private readonly Channel<MetricPoint> _points;
    private readonly IMetricsSink _sink;
    private readonly int _maxBatch;
    private readonly object _batchGate = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly Timer _flushTimer;
    private List<MetricPoint> _batch;
    private Task _pumpTask = Task.CompletedTask;
    private long _rejected;
    private long _failed;

    public MetricsPump(IMetricsSink sink, MetricsPumpOptions options)
    {
        _sink = sink;
        _maxBatch = options.MaxBatch;
        _batch = new List<MetricPoint>(_maxBatch);
        _points = Channel.CreateBounded<MetricPoint>(new BoundedChannelOptions(options.Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        _flushTimer = new Timer(state => _ = FlushAsync(_cts.Token), null, options.FlushInterval, options.FlushInterval);
    }

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Failed => Interlocked.Read(ref _failed);

    public void Start()
    {
        _pumpTask = Task.Run(() => PumpAsync(_cts.Token));
    }

    public void Record(string name, double value)
    {
        var point = new MetricPoint(name, value, Environment.TickCount64);
        if (!_points.Writer.TryWrite(point))
        {
            Interlocked.Increment(ref _rejected);
        }
    }

    public void Increment(string name) => Record(name, 1);

    public async Task StopAsync()
    {
        _points.Writer.Complete(); // expect: CONC041
        await _pumpTask;
        await _flushTimer.DisposeAsync();
        await FlushAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        _points.Writer.Complete(); // expect: CONC041
        _cts.Cancel();
        _flushTimer.Dispose();
        _cts.Dispose();
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await foreach (var point in _points.Reader.ReadAllAsync(cancellationToken))
        {
            List<MetricPoint>? full = null;
            lock (_batchGate)
            {
                _batch.Add(point);
                if (_batch.Count >= _maxBatch)
                {
                    full = _batch;
                    _batch = new List<MetricPoint>(_maxBatch);
                }
            }

            if (full is not null)
            {
                await SendAsync(full, cancellationToken);
            }
        }
    }

    private Task FlushAsync(CancellationToken cancellationToken)
    {
        List<MetricPoint> ready;
        lock (_batchGate)
        {
            if (_batch.Count == 0)
            {
                return Task.CompletedTask;
            }

            ready = _batch;
            _batch = new List<MetricPoint>(_maxBatch);
        }

        return SendAsync(ready, cancellationToken);
    }

    private async Task SendAsync(List<MetricPoint> batch, CancellationToken cancellationToken)
    {
        try
        {
            await _sink.SendAsync(batch, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Interlocked.Add(ref _failed, batch.Count);
        }
        catch (Exception)
        {
            Interlocked.Add(ref _failed, batch.Count);
        }
    }
}
