using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Telemetry;

public readonly record struct MetricSample(string Name, double Value, long TimestampTicks);

public sealed record MetricAggregate(string Name, long Count, double Sum, double Min, double Max);

public interface IMetricsExporter
{
    Task ExportAsync(IReadOnlyCollection<MetricAggregate> aggregates, CancellationToken cancellationToken);
}

/// <summary>
/// In-process telemetry buffer. Instrumented code calls <see cref="Record"/> on hot paths;
/// a single background loop folds samples into per-metric aggregates and exports them.
/// Under pressure the oldest samples are discarded rather than slowing callers down.
/// </summary>
public sealed class TelemetryBuffer : IAsyncDisposable
{
    private readonly Channel<MetricSample> _channel;
    private readonly ChannelWriter<MetricSample> _writer;
    private readonly IMetricsExporter _exporter;
    private readonly Task _exportLoop;
    private long _recordedAfterShutdown;
    private long _exportFailures;

    public TelemetryBuffer(IMetricsExporter exporter, int capacity = 50_000)
    {
        _exporter = exporter;
        _channel = Channel.CreateBounded<MetricSample>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            AllowSynchronousContinuations = false,
        });
        _writer = _channel.Writer;
        _exportLoop = Task.Run(ExportLoopAsync);
    }

    public long RecordedAfterShutdown => Interlocked.Read(ref _recordedAfterShutdown);
    public long ExportFailures => Interlocked.Read(ref _exportFailures);

    public void Record(string name, double value)
    {
        var sample = new MetricSample(name, value, DateTime.UtcNow.Ticks);

        // With DropOldest the write only fails once the buffer has been shut down.
        if (!_writer.TryWrite(sample))
        {
            Interlocked.Increment(ref _recordedAfterShutdown);
        }
    }

    private async Task ExportLoopAsync()
    {
        var reader = _channel.Reader;
        var aggregates = new Dictionary<string, MetricAggregate>(StringComparer.Ordinal);

        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Fold everything that is currently buffered into one export.
            while (aggregates.Count < 10_000 && reader.TryRead(out var sample))
            {
                aggregates[sample.Name] = aggregates.TryGetValue(sample.Name, out var current)
                    ? current with
                    {
                        Count = current.Count + 1,
                        Sum = current.Sum + sample.Value,
                        Min = Math.Min(current.Min, sample.Value),
                        Max = Math.Max(current.Max, sample.Value),
                    }
                    : new MetricAggregate(sample.Name, 1, sample.Value, sample.Value, sample.Value);
            }

            try
            {
                await _exporter.ExportAsync(aggregates.Values, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _exportFailures);
                Console.Error.WriteLine($"metrics export failed: {ex.Message}");
            }
            finally
            {
                aggregates.Clear();
            }
        }
    }

    /// <summary>Stops accepting samples. Already buffered samples are still exported.</summary>
    public void Stop() => _writer.TryComplete();

    public async ValueTask DisposeAsync()
    {
        _writer.TryComplete();
        await _exportLoop.ConfigureAwait(false);
    }
}
