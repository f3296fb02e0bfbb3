using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.LogShipping
{
    public enum Severity { Trace, Debug, Information, Warning, Error, Critical }

    public sealed record LogEntry(
        DateTimeOffset Timestamp,
        Severity Level,
        string Category,
        string Message,
        string? Exception);

    public interface ILogSink
    {
        Task SendBatchAsync(IReadOnlyList<LogEntry> batch, CancellationToken cancellationToken);
    }

    public sealed class HttpLogSink : ILogSink
    {
        private readonly HttpClient _client;
        private readonly Uri _endpoint;

        public HttpLogSink(HttpClient client, Uri endpoint)
        {
            _client = client;
            _endpoint = endpoint;
        }

        public async Task SendBatchAsync(IReadOnlyList<LogEntry> batch, CancellationToken cancellationToken)
        {
            var payload = JsonSerializer.Serialize(batch);
            using var content = new StringContent(payload, Encoding.UTF8, "application/json");
            using var response = await _client.PostAsync(_endpoint, content, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Buffers log entries in memory and ships them to the collector in batches.
    /// Entries are dropped (not blocked on) when the buffer is full so that logging
    /// can never stall a request thread.
    /// </summary>
    public sealed class LogShipper : IAsyncDisposable
    {
        private const int MaxBatchSize = 200;

        private readonly Channel<LogEntry> _channel;
        private readonly ILogSink _sink;
        private readonly CancellationTokenSource _shutdown = new();
        private Task? _pump;
        private long _shipped;
        private long _failedBatches;
        private long _rejectedCritical;

        public LogShipper(ILogSink sink, int capacity = 10_000)
        {
            _sink = sink;
            _channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
                SingleWriter = false,
            });
        }

        public long Shipped => Interlocked.Read(ref _shipped);
        public long FailedBatches => Interlocked.Read(ref _failedBatches);
        public long RejectedCritical => Interlocked.Read(ref _rejectedCritical);

        public void Start()
        {
            _pump ??= Task.Run(() => PumpAsync(_shutdown.Token));
        }

        // Called by the logging provider on arbitrary threads; must never block.
        public void Enqueue(LogEntry entry)
        {
            _channel.Writer.TryWrite(entry); // expect: CONC040
        }

        // Critical entries are also echoed to stderr if the shipper is no longer accepting,
        // so a crash during shutdown still leaves a trace in the container log.
        public void EnqueueCritical(LogEntry entry)
        {
            if (!_channel.Writer.TryWrite(entry))
            {
                Interlocked.Increment(ref _rejectedCritical);
                Console.Error.WriteLine($"{entry.Timestamp:O} [{entry.Level}] {entry.Category}: {entry.Message}");
            }
        }

        private async Task PumpAsync(CancellationToken cancellationToken)
        {
            var reader = _channel.Reader;
            var batch = new List<LogEntry>(MaxBatchSize);

            while (await reader.WaitToReadAsync().ConfigureAwait(false)) // expect: CONC012
            {
                while (batch.Count < MaxBatchSize && reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                }

                await ShipAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        private async Task ShipAsync(List<LogEntry> batch, CancellationToken cancellationToken)
        {
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await _sink.SendBatchAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _shipped, batch.Count);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Drain deadline passed; whatever is left is discarded.
                Interlocked.Increment(ref _failedBatches);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failedBatches);
                Console.Error.WriteLine($"log shipping failed for {batch.Count} entries: {ex.Message}");
            }
        }

        public async Task StopAsync(TimeSpan drainTimeout)
        {
            _channel.Writer.TryComplete();

            if (_pump is null)
            {
                return;
            }

            _shutdown.CancelAfter(drainTimeout);
            await _pump.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _shutdown.Dispose();
        }
    }
}
