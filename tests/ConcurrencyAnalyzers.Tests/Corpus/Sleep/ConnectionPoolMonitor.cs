using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Pooling;

public sealed class PooledConnection
{
    public PooledConnection(int id) => Id = id;

    public int Id { get; }

    public DateTime LastUsedUtc { get; set; } = DateTime.UtcNow;
}

public sealed class ConnectionPool
{
    private readonly SemaphoreSlim _slots;
    private readonly Func<bool> _ping;
    private int _inUse;
    private int _nextId;

    public ConnectionPool(int capacity, Func<bool> ping)
    {
        Capacity = capacity;
        _slots = new SemaphoreSlim(capacity, capacity);
        _ping = ping;
    }

    public int Capacity { get; }

    public int InUse => Volatile.Read(ref _inUse);

    public PooledConnection Rent(TimeSpan timeout)
    {
        if (!_slots.Wait(timeout))
        {
            throw new TimeoutException("No pooled connection became available.");
        }

        Interlocked.Increment(ref _inUse);
        return new PooledConnection(Interlocked.Increment(ref _nextId));
    }

    public void Return(PooledConnection connection)
    {
        connection.LastUsedUtc = DateTime.UtcNow;
        Interlocked.Decrement(ref _inUse);
        _slots.Release();
    }

    public bool Ping() => _ping();
}

public sealed record PoolReport(int Samples, int Peak, double Average);

public sealed class PoolMonitor
{
    private readonly ConnectionPool _pool;
    private readonly List<int> _samples = new();
    private readonly object _gate = new();

    public PoolMonitor(ConnectionPool pool) => _pool = pool;

    // Samples utilisation every `every` for the length of `window` and summarises it.
    public PoolReport SampleFor(TimeSpan window, TimeSpan every)
    {
        lock (_gate)
        {
            _samples.Clear();
        }

        using (var sampler = new Timer(_ => Record(), null, TimeSpan.Zero, every))
        {
            Thread.Sleep(window);
        }

        lock (_gate)
        {
            return _samples.Count == 0
                ? new PoolReport(0, 0, 0)
                : new PoolReport(_samples.Count, _samples.Max(), _samples.Average());
        }
    }

    public async Task WatchAsync(Action<string> alert, TimeSpan period, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                var inUse = _pool.InUse;
                if (inUse >= _pool.Capacity * 0.9)
                {
                    alert($"Connection pool at {inUse}/{_pool.Capacity}");
                }

                await Task.Delay(period, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    // Used by load tests: keep one connection checked out until the test cancels.
    public static async Task HoldLeaseUntilCancelledAsync(ConnectionPool pool, CancellationToken token)
    {
        var lease = pool.Rent(TimeSpan.FromSeconds(5));
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(250, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            pool.Return(lease);
        }
    }

    public bool WaitUntilHealthy(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!_pool.Ping())
        {
            if (stopwatch.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(200);
        }

        return true;
    }

    private void Record()
    {
        var value = _pool.InUse;
        lock (_gate)
        {
            _samples.Add(value);
        }
    }
}
