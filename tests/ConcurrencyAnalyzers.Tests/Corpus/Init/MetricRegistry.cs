using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;

namespace Corpus.Init.MetricRegistry;

public sealed class Counter
{
    private long _value;

    public Counter(string name) => Name = name;

    public string Name { get; }

    public long Value => Interlocked.Read(ref _value);

    public void Increment(long by = 1) => Interlocked.Add(ref _value, by);
}

public sealed class MetricRegistry
{
    private static readonly string[] DefaultCounters = { "http.requests", "http.errors", "jobs.completed" };

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _descriptions = new(StringComparer.Ordinal);
    private bool _defaultsRegistered;

    private MetricRegistry()
    {
    }

    public static MetricRegistry Instance { get; } = new MetricRegistry();

    public Counter GetCounter(string name) => _counters.GetOrAdd(name, n => new Counter(n));

    public void EnsureDefaults()
    {
        if (!_defaultsRegistered) // expect: CONC050
        {
            foreach (var name in DefaultCounters)
            {
                _counters.TryAdd(name, new Counter(name));
            }

            _descriptions.TryAdd("http.requests", "Requests received");
            _descriptions.TryAdd("http.errors", "Requests that failed with a 5xx status");
            _defaultsRegistered = true;
        }
    }

    public void Record(string eventName)
    {
        EnsureDefaults();
        _events[eventName] = _events.TryGetValue(eventName, out var seen) ? seen + 1 : 1; // expect: CONC052
    }

    public void RecordBatch(string eventName, long count) =>
        _events.AddOrUpdate(eventName, count, (_, seen) => seen + count);

    public long EventCount(string eventName)
    {
        if (_events.TryGetValue(eventName, out var seen))
        {
            return seen;
        }

        return 0;
    }

    public string Describe(string name) => _descriptions.GetOrAdd(name, n => n.Replace('.', ' '));

    public bool Retire(string name) => _counters.TryRemove(name, out _);

    public string Export()
    {
        var builder = new StringBuilder();
        foreach (var counter in _counters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            builder.Append("# ").Append(Describe(counter.Name)).Append('\n');
            builder.Append(counter.Name).Append(' ').Append(counter.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        foreach (var pair in _events.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            builder.Append("event.").Append(pair.Key).Append(' ').Append(pair.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return builder.ToString();
    }
}
