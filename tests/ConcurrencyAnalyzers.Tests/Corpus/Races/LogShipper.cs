using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Logging
{
    public sealed record LogEvent(DateTimeOffset Timestamp, string Level, string Source, string Message);

    public interface ILogSink
    {
        Task SendAsync(string batch, CancellationToken ct);
    }

    /// <summary>
    /// Buffers structured log events and ships them to the central collector in batches.
    /// </summary>
    public sealed class LogShipper
    {
        private readonly ILogSink _sink;
        private readonly object _bufferLock = new();
        private readonly StringBuilder _buffer = new();
        private readonly StringBuilder _deadLetters = new();
        private long _shippedBytes;
        private int _batchesSent;

        public LogShipper(ILogSink sink)
        {
            _sink = sink;
        }

        public long ShippedBytes => Interlocked.Read(ref _shippedBytes);

        public int BatchesSent => Volatile.Read(ref _batchesSent);

        public string DeadLetters => _deadLetters.ToString();

        public void Enqueue(LogEvent evt)
        {
            lock (_bufferLock)
            {
                Format(_buffer, evt);
            }
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            string payload;
            lock (_bufferLock)
            {
                payload = _buffer.ToString();
                _buffer.Clear();
            }

            if (payload.Length == 0) return;
            await _sink.SendAsync(payload, ct).ConfigureAwait(false);
            Interlocked.Add(ref _shippedBytes, payload.Length);
            Interlocked.Increment(ref _batchesSent);
        }

        // Used when replaying archived partitions after a collector outage.
        public async Task ShipPartitionsAsync(IReadOnlyList<IReadOnlyList<LogEvent>> partitions, CancellationToken ct)
        {
            var tasks = new List<Task>();
            foreach (var partition in partitions)
            {
                tasks.Add(Task.Run(async () =>
                {
                    var local = new StringBuilder();
                    foreach (var evt in partition)
                    {
                        Format(local, evt);
                    }

                    try
                    {
                        await _sink.SendAsync(local.ToString(), ct).ConfigureAwait(false);
                        Interlocked.Add(ref _shippedBytes, local.Length);
                        _batchesSent++;                                                 // expect: CONC001
                    }
                    catch (IOException ex)
                    {
                        _deadLetters.AppendLine($"{DateTimeOffset.UtcNow:o} {ex.Message}");   // expect: CONC002
                        _deadLetters.Append(local);                                     // expect: CONC002
                    }
                }, ct));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        public static (int Errors, int Warnings) CountSeverities(IReadOnlyList<LogEvent> events)
        {
            int errors = 0;
            int warnings = 0;
            Parallel.Invoke(
                () => errors = events.Count(e => e.Level == "ERROR"),
                () => warnings = events.Count(e => e.Level == "WARN"));
            return (errors, warnings);
        }

        public static long MeasureVolume(IReadOnlyList<LogEvent> application, IReadOnlyList<LogEvent> audit)
        {
            long total = 0;
            Parallel.Invoke(
                () => { foreach (var e in application) total += e.Message.Length; },    // expect: CONC001
                () => { foreach (var e in audit) total += e.Message.Length; });         // expect: CONC001
            return total;
        }

        private static void Format(StringBuilder target, LogEvent evt)
        {
            target.Append(evt.Timestamp.ToString("o"))
                  .Append(' ')
                  .Append(evt.Level.PadRight(5))
                  .Append(' ')
                  .Append(evt.Source)
                  .Append(": ")
                  .AppendLine(evt.Message);
        }
    }
}
