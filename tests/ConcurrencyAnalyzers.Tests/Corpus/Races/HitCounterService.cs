using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Metrics
{
    public sealed record RequestLogEntry(string Path, int StatusCode, long ResponseBytes, TimeSpan Duration);

    public sealed class RequestMetrics
    {
        public long TotalRequests;
        public long ServerErrors;
        public long BytesServed;
    }

    /// <summary>
    /// Aggregates access-log entries shipped by the edge proxies into in-memory counters
    /// that are scraped by the metrics endpoint.
    /// </summary>
    public sealed class HitCounterService
    {
        private readonly TimeSpan _slowThreshold;
        private readonly RequestMetrics _current = new RequestMetrics();
        private long _totalRequests;
        private long _errorCount;
        private long _bytesServed;
        private int _slowRequests;

        public HitCounterService(TimeSpan slowThreshold)
        {
            _slowThreshold = slowThreshold;
        }

        public long TotalRequests => Interlocked.Read(ref _totalRequests);
        public long ErrorCount => Interlocked.Read(ref _errorCount);
        public long BytesServed => Interlocked.Read(ref _bytesServed);
        public int SlowRequests => Volatile.Read(ref _slowRequests);
        public long PartitionedBytes => Interlocked.Read(ref _current.BytesServed);

        // Legacy path, still used by the nightly re-ingest job.
        public void IngestLegacy(IReadOnlyList<RequestLogEntry> entries)
        {
            Parallel.ForEach(entries, entry =>
            {
                _totalRequests++;                       // expect: CONC001
                if (entry.StatusCode >= 500)
                {
                    Interlocked.Increment(ref _errorCount);
                }
                _bytesServed += entry.ResponseBytes;    // expect: CONC001
                if (entry.Duration > _slowThreshold)
                {
                    _slowRequests = _slowRequests + 1;  // expect: CONC001
                }
            });
        }

        public void Ingest(IReadOnlyList<RequestLogEntry> entries)
        {
            Parallel.ForEach(entries, entry =>
            {
                Interlocked.Increment(ref _totalRequests);
                if (entry.StatusCode >= 500)
                {
                    Interlocked.Increment(ref _errorCount);
                }
                Interlocked.Add(ref _bytesServed, entry.ResponseBytes);
                if (entry.Duration > _slowThreshold)
                {
                    Interlocked.Increment(ref _slowRequests);
                }
            });
        }

        public void AccumulatePerPartition(IReadOnlyList<RequestLogEntry> entries)
        {
            Parallel.ForEach(
                entries,
                () => 0L,
                (entry, state, local) => local + entry.ResponseBytes,
                local => _current.BytesServed += local);   // expect: CONC001
        }

        public void AccumulatePerPartitionSafe(IReadOnlyList<RequestLogEntry> entries)
        {
            Parallel.ForEach(
                entries,
                () => 0L,
                (entry, state, local) => local + entry.ResponseBytes,
                local => Interlocked.Add(ref _current.BytesServed, local));
        }

        public long CountServerErrors(IReadOnlyList<RequestLogEntry> entries)
        {
            long errors = 0;
            Parallel.For(0, entries.Count, i =>
            {
                if (entries[i].StatusCode >= 500)
                {
                    errors++;   // expect: CONC001
                }
            });
            return errors;
        }

        public int CountSlow(IEnumerable<RequestLogEntry> entries)
        {
            return entries.AsParallel().Count(e => e.Duration > _slowThreshold);
        }

        public IReadOnlyDictionary<string, long> BytesByPath(IEnumerable<RequestLogEntry> entries)
        {
            return entries
                .AsParallel()
                .GroupBy(e => e.Path, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Sum(e => e.ResponseBytes), StringComparer.OrdinalIgnoreCase);
        }

        public RequestMetrics Snapshot()
        {
            return new RequestMetrics
            {
                TotalRequests = Interlocked.Read(ref _totalRequests),
                ServerErrors = Interlocked.Read(ref _errorCount),
                BytesServed = Interlocked.Read(ref _bytesServed),
            };
        }
    }
}
