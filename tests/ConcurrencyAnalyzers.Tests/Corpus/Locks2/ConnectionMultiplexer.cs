using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks2.ConnectionMultiplexer;

public interface IDbConnection : IAsyncDisposable
{
    string Endpoint { get; }
    bool IsHealthy { get; }
    Task<int> ExecuteAsync(string command, CancellationToken cancellationToken);
}

public interface IConnectionFactory
{
    Task<IDbConnection> OpenAsync(string endpoint, CancellationToken cancellationToken);
}

public interface IDbLogger
{
    void Info(string message);
    void Warn(string message);
    void Error(Exception exception, string message);
}

public sealed class ConnectionMultiplexer : IAsyncDisposable
{
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly SemaphoreSlim _inFlight;
    private readonly object _poolSync = new();
    private readonly List<IDbConnection> _connections = new();
    private readonly IConnectionFactory _factory;
    private readonly IDbLogger _log;
    private readonly string[] _endpoints;
    private int _nextIndex;
    private Task? _reconnectTask;
    private bool _disposed;

    public ConnectionMultiplexer(IConnectionFactory factory, IDbLogger log, IReadOnlyList<string> endpoints, int maxInFlight)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is required.", nameof(endpoints));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInFlight);
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _endpoints = new List<string>(endpoints).ToArray();
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
    }

    // Lock order: _connectGate (or _inFlight) first, then _poolSync.
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken);
        try
        {
            foreach (var endpoint in _endpoints)
            {
                if (HasConnectionTo(endpoint))
                {
                    continue;
                }

                var connection = await _factory.OpenAsync(endpoint, cancellationToken);
                bool accepted;
                lock (_poolSync)
                {
                    accepted = !_disposed;
                    if (accepted)
                    {
                        _connections.Add(connection);
                    }
                }

                if (!accepted)
                {
                    await connection.DisposeAsync();
                    return;
                }

                _log.Info($"Connected to {endpoint}.");
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    public async Task<int> ExecuteAsync(string command, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            throw new ArgumentException("Command text is required.", nameof(command));
        }

        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            var connection = PickConnection();
            try
            {
                return await connection.ExecuteAsync(command, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.Error(ex, $"Command failed on {connection.Endpoint}.");
                ScheduleReconnect(connection);
                throw;
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    // Used by the maintenance job: holds off reconnects until the lease is disposed.
    public async Task<IDisposable> BeginMaintenanceAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken);
        return new GateLease(_connectGate);
    }

    // Health probe, called from a timer. It must never wait behind a running reconnect.
    public bool TryPruneUnhealthy()
    {
        lock (_poolSync)
        {
            if (!_connectGate.Wait(0))
            {
                return false;
            }

            try
            {
                var removed = _connections.RemoveAll(c => !c.IsHealthy);
                if (removed > 0)
                {
                    _log.Warn($"Pruned {removed} unhealthy connection(s).");
                }

                return true;
            }
            finally
            {
                _connectGate.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        IDbConnection[] toClose;
        Task? pending;
        lock (_poolSync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            toClose = _connections.ToArray();
            _connections.Clear();
            pending = _reconnectTask;
        }

        if (pending is not null)
        {
            try
            {
                await pending;
            }
            catch (Exception ex)
            {
                _log.Warn($"Reconnect ended with {ex.GetType().Name} during shutdown.");
            }
        }

        foreach (var connection in toClose)
        {
            await connection.DisposeAsync();
        }
    }

    private bool HasConnectionTo(string endpoint)
    {
        lock (_poolSync)
        {
            return _connections.Exists(c => string.Equals(c.Endpoint, endpoint, StringComparison.OrdinalIgnoreCase));
        }
    }

    private IDbConnection PickConnection()
    {
        lock (_poolSync)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(ConnectionMultiplexer));
            }

            for (var attempt = 0; attempt < _connections.Count; attempt++)
            {
                var candidate = _connections[_nextIndex % _connections.Count];
                _nextIndex = (_nextIndex + 1) % _connections.Count;
                if (candidate.IsHealthy)
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("No healthy database connections are available.");
        }
    }

    private void ScheduleReconnect(IDbConnection failed)
    {
        lock (_poolSync)
        {
            _connections.Remove(failed);
            if (_disposed || _reconnectTask is { IsCompleted: false })
            {
                return;
            }

            // Runs on the thread pool; ConnectAsync takes _connectGate and then _poolSync itself.
            _reconnectTask = Task.Run(() => ConnectAsync(CancellationToken.None));
        }
    }

    private sealed class GateLease(SemaphoreSlim gate) : IDisposable
    {
        private readonly SemaphoreSlim _gate = gate;
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _gate.Release();
            }
        }
    }
}
