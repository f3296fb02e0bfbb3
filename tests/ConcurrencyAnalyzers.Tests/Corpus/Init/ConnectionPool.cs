using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace Corpus.Init.ConnectionPool;

public sealed class ConnectionSettings
{
    public string Host { get; init; }

    public int Port { get; init; }

    public TimeSpan IdleTimeout { get; init; }

    public static ConnectionSettings Parse(string connectionString)
    {
        var pairs = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);

        return new ConnectionSettings
        {
            Host = pairs.TryGetValue("host", out var host) ? host : "localhost",
            Port = pairs.TryGetValue("port", out var port) ? int.Parse(port, CultureInfo.InvariantCulture) : 5432,
            IdleTimeout = TimeSpan.FromSeconds(pairs.TryGetValue("idle", out var idle) ? int.Parse(idle, CultureInfo.InvariantCulture) : 120),
        };
    }
}

public sealed class PooledConnection : IDisposable
{
    private int _closed;
    private long _lastUsedTicks;

    public PooledConnection(string host, int port)
    {
        Host = host;
        Port = port;
        Touch();
    }

    public string Host { get; }

    public int Port { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    public DateTimeOffset LastUsed => new DateTimeOffset(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    public void Touch() => Interlocked.Exchange(ref _lastUsedTicks, DateTimeOffset.UtcNow.UtcTicks);

    public void Dispose() => Interlocked.Exchange(ref _closed, 1);
}

public sealed class ConnectionPool : IDisposable
{
    private readonly ConcurrentQueue<PooledConnection> _idle = new();
    private readonly string _connectionString;
    private readonly int _maxIdle;
    private ConnectionSettings _settings;
    private Timer _pruneTimer;
    private int _opened;

    public ConnectionPool(string connectionString, int maxIdle)
    {
        _connectionString = connectionString;
        _maxIdle = maxIdle;
    }

    public int Opened => Volatile.Read(ref _opened);

    private ConnectionSettings Settings
    {
        get
        {
            if (_settings is null) // expect: CONC050
            {
                _settings = ConnectionSettings.Parse(_connectionString);
            }

            return _settings;
        }
    }

    public void StartPruning()
    {
        if (_pruneTimer == null)
        {
            _pruneTimer = new Timer(_ => PruneIdle(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        }
    }

    public PooledConnection Rent()
    {
        while (_idle.TryDequeue(out var pooled))
        {
            if (pooled.IsOpen)
            {
                pooled.Touch();
                return pooled;
            }
        }

        Interlocked.Increment(ref _opened);
        var settings = Settings;
        return new PooledConnection(settings.Host, settings.Port);
    }

    public void Return(PooledConnection connection)
    {
        if (_idle.Count < _maxIdle) // expect: CONC052
        {
            connection.Touch();
            _idle.Enqueue(connection);
            return;
        }

        connection.Dispose();
    }

    private void PruneIdle()
    {
        var cutoff = DateTimeOffset.UtcNow - Settings.IdleTimeout;
        var survivors = new List<PooledConnection>();
        while (_idle.TryDequeue(out var connection))
        {
            if (connection.LastUsed < cutoff)
            {
                connection.Dispose();
            }
            else
            {
                survivors.Add(connection);
            }
        }

        foreach (var connection in survivors)
        {
            _idle.Enqueue(connection);
        }
    }

    public void Dispose()
    {
        _pruneTimer?.Dispose();
        while (_idle.Count > 0) // expect: CONC052
        {
            _idle.TryDequeue(out var connection);
            connection?.Dispose();
        }
    }
}
