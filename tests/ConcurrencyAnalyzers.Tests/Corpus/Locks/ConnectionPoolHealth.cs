using System;
using System.Collections.Generic;
using System.Threading;

namespace Corpus.Locks.ConnectionPoolHealth;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public interface IConnectionFactory
{
    PooledConnection Open(string endpoint);
}

public sealed class PooledConnection : IDisposable
{
    private readonly Action<PooledConnection>? _onDispose;

    public PooledConnection(string endpoint, Action<PooledConnection>? onDispose = null)
    {
        Endpoint = endpoint;
        _onDispose = onDispose;
        OpenedAt = DateTimeOffset.UtcNow;
    }

    public Guid Id { get; } = Guid.NewGuid();

    public string Endpoint { get; }

    public DateTimeOffset OpenedAt { get; }

    public void Dispose() => _onDispose?.Invoke(this);
}

public sealed class EndpointQuarantinedException : Exception
{
    public EndpointQuarantinedException(string endpoint)
        : base($"Endpoint {endpoint} is quarantined after repeated failures.")
    {
    }
}

public sealed class ConnectionPool : IDisposable
{
    private const int QuarantineThreshold = 3;

    private readonly ReaderWriterLockSlim _poolLock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _healthLock = new();
    private readonly Dictionary<string, Queue<PooledConnection>> _idle = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _quarantined = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _failureCounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly IConnectionFactory _factory;
    private readonly ILogger _logger;
    private readonly int _maxIdlePerEndpoint;

    public ConnectionPool(IConnectionFactory factory, ILogger logger, int maxIdlePerEndpoint)
    {
        _factory = factory;
        _logger = logger;
        _maxIdlePerEndpoint = Math.Max(1, maxIdlePerEndpoint);
    }

    public PooledConnection Rent(string endpoint)
    {
        _poolLock.EnterUpgradeableReadLock();
        try
        {
            lock (_healthLock) // expect: CONC030
            {
                if (_quarantined.Contains(endpoint))
                {
                    throw new EndpointQuarantinedException(endpoint);
                }
            }

            if (_idle.TryGetValue(endpoint, out var queue) && queue.Count > 0)
            {
                _poolLock.EnterWriteLock();
                try
                {
                    return queue.Dequeue();
                }
                finally
                {
                    _poolLock.ExitWriteLock();
                }
            }
        }
        finally
        {
            _poolLock.ExitUpgradeableReadLock();
        }

        return _factory.Open(endpoint);
    }

    public void Return(PooledConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _poolLock.EnterWriteLock();
        try
        {
            if (!_idle.TryGetValue(connection.Endpoint, out var queue))
            {
                queue = new Queue<PooledConnection>();
                _idle[connection.Endpoint] = queue;
            }

            if (queue.Count < _maxIdlePerEndpoint)
            {
                queue.Enqueue(connection);
                return;
            }
        }
        finally
        {
            _poolLock.ExitWriteLock();
        }

        connection.Dispose();
    }

    public int IdleCount(string endpoint)
    {
        _poolLock.EnterReadLock();
        try
        {
            return _idle.TryGetValue(endpoint, out var queue) ? queue.Count : 0;
        }
        finally
        {
            _poolLock.ExitReadLock();
        }
    }

    public void ReportSuccess(string endpoint)
    {
        lock (_healthLock)
        {
            _failureCounts.Remove(endpoint);
            if (_quarantined.Remove(endpoint))
            {
                _logger.Info($"Endpoint {endpoint} is healthy again.");
            }
        }
    }

    public void ReportFailure(string endpoint, Exception error)
    {
        lock (_healthLock)
        {
            var failures = _failureCounts.GetValueOrDefault(endpoint) + 1;
            _failureCounts[endpoint] = failures;
            if (failures < QuarantineThreshold || !_quarantined.Add(endpoint))
            {
                return;
            }

            _logger.Warn($"Quarantining {endpoint} after {failures} failures: {error.Message}");
            DropIdleConnections(endpoint); // expect: CONC030
        }
    }

    private void DropIdleConnections(string endpoint)
    {
        Queue<PooledConnection>? dropped;
        _poolLock.EnterWriteLock();
        try
        {
            _idle.Remove(endpoint, out dropped);
        }
        finally
        {
            _poolLock.ExitWriteLock();
        }

        if (dropped is null)
        {
            return;
        }

        foreach (var connection in dropped)
        {
            connection.Dispose();
        }
    }

    public void Dispose() => _poolLock.Dispose();
}

/// <summary>Pre-opens connections at startup, serialized across processes on the host.</summary>
public sealed class PoolWarmup : IDisposable
{
    private readonly Mutex _warmupMutex = new(false, "Corpus.ConnectionPool.Warmup");
    private readonly ConnectionPool _pool;
    private readonly IConnectionFactory _factory;
    private readonly ILogger _logger;

    public PoolWarmup(ConnectionPool pool, IConnectionFactory factory, ILogger logger)
    {
        _pool = pool;
        _factory = factory;
        _logger = logger;
    }

    public bool Warm(string endpoint, int connections, TimeSpan timeout)
    {
        if (!_warmupMutex.WaitOne(timeout))
        {
            _logger.Warn($"Another process is warming {endpoint}; skipping.");
            return false;
        }

        try
        {
            for (var i = 0; i < connections; i++)
            {
                _pool.Return(_factory.Open(endpoint));
            }

            return true;
        }
        finally
        {
            _warmupMutex.ReleaseMutex();
        }
    }

    public void Dispose() => _warmupMutex.Dispose();
}
