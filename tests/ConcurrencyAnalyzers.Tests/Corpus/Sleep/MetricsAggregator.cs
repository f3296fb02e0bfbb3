using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Metrics;

public sealed class MetricsAggregator
{
    private readonly ConcurrentQueue<(string Name, long Value)> _incoming = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();
    private volatile bool _stop;

    public void Record(string name, long value) => _incoming.Enqueue((name, value));

    public void Stop() => _stop = true;

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_totals);

    // Runs on a dedicated aggregation thread.
    public void RunBlocking(TimeSpan idleDelay)
    {
        while (!_stop)
        {
            var drained = Aggregate(maxItems: 10_000);
            if (drained == 0)
            {
                Thread.Sleep(idleDelay);
            }
        }

        Aggregate(int.MaxValue);
    }

    public async Task<int> CompactAsync(CancellationToken token)
    {
        var removed = 0;
        var keys = _totals.Keys.ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            token.ThrowIfCancellationRequested();
            if (_totals.TryGetValue(keys[i], out var value) && value == 0 && _totals.TryRemove(keys[i], out _))
            {
                removed++;
            }

            if (i % 1_000 == 999)
            {
                Thread.Sleep(0); // let writers in between chunks
            }
        }

        await PublishAsync($"compacted {removed} idle series", token).ConfigureAwait(false);
        return removed;
    }

    public async Task ExportShardsAsync(IReadOnlyList<string> shardPaths, CancellationToken token)
    {
        var snapshot = Snapshot();
        await Task.Run(() =>
        {
            var options = new ParallelOptions { CancellationToken = token, MaxDegreeOfParallelism = 2 };
            Parallel.ForEach(shardPaths, options, path =>
            {
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    try
                    {
                        File.WriteAllLines(path, snapshot.Select(kv => $"{kv.Key}={kv.Value}"));
                        return;
                    }
                    catch (IOException) when (attempt < 3)
                    {
                        Thread.Sleep(100 * attempt);
                    }
                }
            });
        }, token).ConfigureAwait(false);

        await PublishAsync($"exported {shardPaths.Count} shards", token).ConfigureAwait(false);
    }

    public Func<Task> CreateFlushCallback(Func<IReadOnlyDictionary<string, long>, Task> publish) => async () =>
    {
        Aggregate(int.MaxValue);
        Thread.Sleep(1); // yield so late writers on this core get a slice
        await publish(Snapshot()).ConfigureAwait(false);
    };

    public ValueTask<long> GetTotalAsync(string name) =>
        new(_totals.TryGetValue(name, out var total) ? total : 0L);

    public async Task RunPeriodicAsync(TimeSpan interval, Func<IReadOnlyDictionary<string, long>, Task> publish, CancellationToken token)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            Aggregate(int.MaxValue);
            await publish(Snapshot()).ConfigureAwait(false);
        }
    }

    private int Aggregate(int maxItems)
    {
        var drained = 0;
        while (drained < maxItems && _incoming.TryDequeue(out var item))
        {
            _totals.AddOrUpdate(item.Name, item.Value, (_, current) => current + item.Value);
            drained++;
        }

        return drained;
    }

    private static Task PublishAsync(string message, CancellationToken token) =>
        Console.Out.WriteLineAsync(message.AsMemory(), token);
}
