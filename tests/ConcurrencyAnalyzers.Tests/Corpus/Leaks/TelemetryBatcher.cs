using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks.TelemetryBatcher;

public sealed record MetricPoint(string Name, double Value, DateTimeOffset Timestamp);

/// <summary>Buffers metric points and ships them in batches. Recording never blocks the caller.</summary>
public sealed class MetricsExporter : IAsyncDisposable
{
    private const int MaxBatch = 500;
    private readonly Channel<MetricPoint> _points = Channel.CreateBounded<MetricPoint>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly Task _exportLoop;
    private MetricPoint[] _lastBatch = Array.Empty<MetricPoint>();

    public MetricsExporter(HttpClient http, Uri endpoint)
    {
        _http = http;
        _endpoint = endpoint;
        _exportLoop = ExportLoopAsync();
    }

    public void Record(string name, double value) =>
        _points.Writer.TryWrite(new MetricPoint(name, value, DateTimeOffset.UtcNow)); // expect: CONC040

    // Pushes a process-level snapshot straight away, bypassing the buffer.
    public Task PublishSnapshotAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var snapshot = new[]
        {
            new MetricPoint("process.working_set", Environment.WorkingSet, now),
            new MetricPoint("threadpool.threads", ThreadPool.ThreadCount, now),
            new MetricPoint("threadpool.pending", ThreadPool.PendingWorkItemCount, now),
        };
        return SendSnapshotAsync(snapshot); // expect: CONC012
    }

    // Writes the last shipped batch to disk for support tickets.
    public void DumpLastBatch(string path)
    {
        var lines = Volatile.Read(ref _lastBatch).Select(p => $"{p.Timestamp:O} {p.Name} {p.Value}").ToArray();
        Task.Factory.StartNew(() => File.WriteAllLines(path, lines)); // expect: CONC010
    }

    private async Task ExportLoopAsync()
    {
        var reader = _points.Reader;
        var batch = new List<MetricPoint>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var point))
            {
                batch.Add(point);
            }

            // DisposeAsync waits for this loop to drain, so a batch is never cut short by cancellation.
            await SendBatchAsync(batch, CancellationToken.None);
            Volatile.Write(ref _lastBatch, batch.ToArray());
            batch.Clear();
        }
    }

    private Task SendSnapshotAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default) =>
        SendBatchAsync(points, cancellationToken);

    private async Task SendBatchAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken)
    {
        using var content = new StringContent(JsonSerializer.Serialize(points), Encoding.UTF8, "application/json");
        try
        {
            using var response = await _http.PostAsync(_endpoint, content, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException)
        {
            // metrics are best effort; drop the batch
        }
    }

    public async ValueTask DisposeAsync()
    {
        _points.Writer.TryComplete();
        await _exportLoop;
    }
}

/// <summary>Ships audit events to the SIEM every five seconds.</summary>
public sealed class AuditEventShipper
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly Func<IReadOnlyList<string>, Task> _ship;
    private readonly Task _shipping;

    public AuditEventShipper(Func<IReadOnlyList<string>, Task> ship)
    {
        _ship = ship;
        _shipping = ShipLoopAsync();
    }

    public Task Completion => _shipping;

    // Unbounded channel: WriteAsync completes synchronously.
    public void Enqueue(string auditEvent)
    {
        _ = _events.Writer.WriteAsync(auditEvent);
    }

    private async Task ShipLoopAsync()
    {
        var buffer = new List<string>();
        do // expect: CONC011
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            while (_events.Reader.TryRead(out var auditEvent))
            {
                buffer.Add(auditEvent);
            }

            if (buffer.Count > 0)
            {
                try
                {
                    await _ship(buffer.ToArray());
                    buffer.Clear();
                }
                catch (HttpRequestException)
                {
                    // keep the buffer and retry on the next round
                }
            }
        }
        while (true);
    }
}

public static class ProcessSampler
{
    public static Task RunAsync(MetricsExporter exporter, TimeSpan every, CancellationToken cancellationToken)
    {
        return Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(every);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                exporter.Record("threadpool.threads", ThreadPool.ThreadCount);
                exporter.Record("gc.heap_bytes", GC.GetTotalMemory(forceFullCollection: false));
            }
        }, cancellationToken);
    }
}
