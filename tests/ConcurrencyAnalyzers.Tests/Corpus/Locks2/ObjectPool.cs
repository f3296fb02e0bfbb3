using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Corpus.Locks2.ObjectPool;

public interface IPooledObjectPolicy<T>
{
    T Create();

    // Returns false when the object is broken and must not go back into the pool.
    bool Reset(T item);
}

public sealed class BoundedObjectPool<T> : IDisposable
    where T : class
{
    private readonly object _sync = new();
    private readonly Stack<T> _available = new();
    private readonly IPooledObjectPolicy<T> _policy;
    private readonly int _capacity;
    private int _created;
    private int _waiting;
    private bool _disposed;

    public BoundedObjectPool(string name, IPooledObjectPolicy<T> policy, int capacity)
    {
        if (capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "Pool capacity must be positive.");
        }

        Name = name;
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _capacity = capacity;
    }

    public string Name { get; }

    public T Rent(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        TimeSpan Remaining() => deadline - DateTime.UtcNow;

        lock (_sync)
        {
            while (true)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(Name);
                }

                if (_available.Count > 0)
                {
                    return _available.Pop();
                }

                if (_created < _capacity)
                {
                    _created++;
                    return _policy.Create();
                }

                var remaining = Remaining();
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"No '{Name}' object became available within {timeout}.");
                }

                _waiting++;
                try
                {
                    Monitor.Wait(_sync, remaining);
                }
                finally
                {
                    _waiting--;
                }
            }
        }
    }

    public void Return(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var healthy = _policy.Reset(item);
        bool discard;
        lock (_sync)
        {
            discard = _disposed || !healthy;
            if (discard)
            {
                _created--;
            }
            else
            {
                _available.Push(item);
            }

            if (_waiting > 0)
            {
                Monitor.Pulse(_sync);
            }
        }

        if (discard)
        {
            (item as IDisposable)?.Dispose();
        }
    }

    public (int Available, int Created, int Waiting) Snapshot()
    {
        var lockTaken = false;
        try
        {
            Monitor.Enter(_sync, ref lockTaken);
            return (_available.Count, _created, _waiting);
        }
        finally
        {
            if (lockTaken)
            {
                Monitor.Exit(_sync);
            }
        }
    }

    public void Dispose()
    {
        T[] drained;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            drained = _available.ToArray();
            _available.Clear();
            _created -= drained.Length;
            Monitor.PulseAll(_sync);
        }

        foreach (var item in drained)
        {
            (item as IDisposable)?.Dispose();
        }
    }
}

public static class PoolRegistry
{
    private static readonly object RegistryGate = new();
    private static readonly ConcurrentDictionary<string, object> Pools = new(StringComparer.Ordinal);

    // The lock keeps "get or create, then type-check" atomic with DisposeAll.
    public static BoundedObjectPool<T> GetOrCreate<T>(string name, IPooledObjectPolicy<T> policy, int capacity)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("Pool name is required.", nameof(name));
        }

        lock (RegistryGate)
        {
            var pool = Pools.GetOrAdd(name, key => new BoundedObjectPool<T>(key, policy, capacity));
            return pool as BoundedObjectPool<T>
                ?? throw new InvalidOperationException($"Pool '{name}' holds {pool.GetType().Name}, not a pool of {typeof(T).Name}.");
        }
    }

    public static int DisposeAll()
    {
        lock (RegistryGate)
        {
            var disposed = 0;
            foreach (var pool in Pools.Values)
            {
                if (pool is IDisposable disposable)
                {
                    disposable.Dispose();
                    disposed++;
                }
            }

            Pools.Clear();
            return disposed;
        }
    }

    public static bool TryRemove(string name)
    {
        object? removed;
        lock (RegistryGate)
        {
            if (!Pools.TryRemove(name, out removed))
            {
                return false;
            }
        }

        (removed as IDisposable)?.Dispose();
        return true;
    }
}
