using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;

namespace Corpus.Init.ConnectionPool;

public sealed class ConnectionSettings
{
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 5432;

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public static ConnectionSettings Parse(string connectionString)
    {
        var host = "localhost";
        var port = 5432;
        var idle = TimeSpan.FromMinutes(2);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2)
            {
                continue;
            }

            switch (pair[0].ToLowerInvariant())
            {
                case "host": host = pair[1]; break;
                case "port": port = int.Parse(pair[1], CultureInfo.InvariantCulture); break;
                case "idle": idle = TimeSpan.FromSeconds(int.Parse(pair[1], CultureInfo.InvariantCulture)); break;
            }
        }

        return new ConnectionSettings { Host = host, Port = port, IdleTimeout = idle };
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
