using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Telemetry
{
    /// <summary>Fixed-bucket latency histogram; every mutation happens under <c>_sync</c>.</summary>
    public sealed class Histogram
    {
        private readonly object _sync = new();
        private readonly double[] _bounds;
        private readonly long[] _buckets;
        private long _count;
        private double _sum;
        private double _max;

        public Histogram(IEnumerable<double> bounds)
        {
            _bounds = bounds.OrderBy(b => b).ToArray();
            _buckets = new long[_bounds.Length + 1];
            _max = double.MinValue;
        }

        public long Count => Interlocked.Read(ref _count);

        public double Max => _max;

        public double Mean
        {
            get { lock (_sync) { return _count == 0 ? 0 : _sum / _count; } }
        }

        public void Observe(double value)
        {
            lock (_sync)
            {
                _buckets[BucketFor(value)]++;
                _count++;
                _sum += value;
                UpdateMax(value);
            }
        }

        public void Reset()
        {
            lock (_sync)
            {
                Array.Clear(_buckets);
                _count = 0;
                _sum = 0;
                _max = double.MinValue;
            }
        }

        private int BucketFor(double value)
        {
            int index = Array.BinarySearch(_bounds, value);
            return index >= 0 ? index : ~index;
        }

        // Only called from Observe, inside the lock.
        private void UpdateMax(double value)
        {
            if (value > _max)
            {
                _max = value;
            }
        }
    }

    /// <summary>Process-wide registry scraped by the /metrics endpoint.</summary>
    public sealed class MetricsRegistry
    {
        private static readonly double[] DefaultBounds = { 5, 10, 25, 50, 100, 250, 1000 };

        private readonly ConcurrentDictionary<string, Histogram> _histograms = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _exportGate = new(1, 1);
        private volatile bool _exporting;
        private int _exportCount;
        private string _lastExport = string.Empty;

        public bool IsExporting => _exporting;

        public int ExportCount => Volatile.Read(ref _exportCount);

        public string LastExport => Volatile.Read(ref _lastExport);

        public void Increment(string name, long by = 1) => _counters.AddOrUpdate(name, by, (_, v) => v + by);

        public Histogram GetHistogram(string name) => _histograms.GetOrAdd(name, _ => new Histogram(DefaultBounds));

        public void RecordBatch(IReadOnlyList<(string Name, double Value)> samples)
        {
            Parallel.ForEach(samples, sample =>
            {
                GetHistogram(sample.Name).Observe(sample.Value);
                Increment(sample.Name + ".count");
            });
        }

        public async Task<string> ExportAsync(Func<string, Task> publish, CancellationToken ct)
        {
            await _exportGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                _exporting = true;
                var sb = new StringBuilder();
                foreach (var pair in _counters.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(pair.Key).Append(' ').Append(pair.Value).AppendLine();
                }
                foreach (var pair in _histograms.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.AppendLine($"{pair.Key} count={pair.Value.Count} mean={pair.Value.Mean:F2} max={pair.Value.Max:F2}");
                }

                var text = sb.ToString();
                await publish(text).ConfigureAwait(false);
                _lastExport = text;
                _exportCount++;
                return text;
            }
            finally
            {
                _exporting = false;
                _exportGate.Release();
            }
        }
    }
}
