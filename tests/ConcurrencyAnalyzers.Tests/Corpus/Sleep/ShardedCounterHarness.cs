using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Harness;

public static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"{what}: expected {expected}, got {actual}");
        }
    }

    public static void True(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{what}: expected true");
        }
    }
}

public sealed class ShardedCounter
{
    private const int Stride = 8; // one cache line per shard
    private readonly long[] _cells;

    public ShardedCounter(int shards) => _cells = new long[shards * Stride];

    public void Increment()
    {
        var shard = Environment.CurrentManagedThreadId % (_cells.Length / Stride);
        Interlocked.Increment(ref _cells[shard * Stride]);
    }

    public long Sum()
    {
        long total = 0;
        for (var i = 0; i < _cells.Length; i += Stride)
        {
            total += Volatile.Read(ref _cells[i]);
        }
        return total;
    }
}

public sealed class ShardedCounterTests
{
    private const int Workers = 4;
    private const int PerWorker = 100_000;

    public void Increments_from_many_threads_are_not_lost()
    {
        var counter = new ShardedCounter(8);
        var threads = new Thread[Workers];
        for (var i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(() =>
            {
                for (var n = 0; n < PerWorker; n++) counter.Increment();
            }) { IsBackground = true, Name = $"incrementer-{i}" };
            threads[i].Start();
        }

        Thread.Sleep(500); // expect: CONC021

        Check.Equal((long)Workers * PerWorker, counter.Sum(), "total");
    }

    public void Increments_from_many_threads_are_not_lost_joined()
    {
        var counter = new ShardedCounter(8);
        var threads = Enumerable.Range(0, Workers)
            .Select(_ => new Thread(() =>
            {
                for (var n = 0; n < PerWorker; n++) counter.Increment();
            }))
            .ToArray();

        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        Check.Equal((long)Workers * PerWorker, counter.Sum(), "total");
    }

    public void Producers_fill_the_bag()
    {
        var bag = new ConcurrentBag<int>();
        var producers = new List<Task>();
        for (var p = 0; p < Workers; p++)
        {
            var id = p;
            producers.Add(Task.Run(() =>
            {
                for (var n = 0; n < 1_000; n++) bag.Add(id * 1_000 + n);
            }));
        }

        Task.Delay(200).Wait(); // expect: CONC021

        Check.Equal(Workers * 1_000, bag.Count, "items");
        Check.Equal(bag.Count, bag.Distinct().Count(), "distinct items");
    }

    public void Producers_fill_the_bag_waited()
    {
        var bag = new ConcurrentBag<int>();
        var producers = Enumerable.Range(0, Workers)
            .Select(id => Task.Run(() =>
            {
                for (var n = 0; n < 1_000; n++) bag.Add(id * 1_000 + n);
            }))
            .ToArray();

        Check.True(Task.WaitAll(producers, TimeSpan.FromSeconds(10)), "producers finished");
        Check.Equal(Workers * 1_000, bag.Count, "items");
    }

    public void Worker_stops_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        var iterations = 0;
        var worker = Task.Run(() =>
        {
            while (!cts.IsCancellationRequested)
            {
                Interlocked.Increment(ref iterations);
                Thread.SpinWait(100);
            }
        });

        Thread.Sleep(100); // let it run for a while, then stop it
        cts.Cancel();

        Check.True(worker.Wait(TimeSpan.FromSeconds(5)), "worker observed cancellation");
        Check.True(Volatile.Read(ref iterations) > 0, "worker made progress");
    }
}
