using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.SessionStoreAsync;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public interface ISessionPersistence
{
    Task SaveAsync(string key, string json, CancellationToken cancellationToken);

    Task<string?> LoadAsync(string key, CancellationToken cancellationToken);
}

public sealed record Session(string Id, string UserId, DateTimeOffset ExpiresAt, Dictionary<string, string> Claims);

public sealed class SessionStore : IDisposable
{
    private readonly object _sessionsLock = new();
    private readonly object _exportLock = new();
    private readonly SemaphoreSlim _persistGate = new(1, 1);
    private readonly Mutex _snapshotMutex = new(false, "Corpus.SessionStore.Snapshot");
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ISessionPersistence _persistence;
    private readonly ILogger _logger;
    private DateTimeOffset _lastExportAt;
    private DateTimeOffset _lastSnapshotAt;
    private DateTimeOffset _lastActivity;
    private int _sweptTotal;
    private int _instanceLookups;

    public SessionStore(ISessionPersistence persistence, ILogger logger)
    {
        _persistence = persistence;
        _logger = logger;
    }

    public DateTimeOffset LastActivity => _lastActivity;

    public int SweptTotal => _sweptTotal;

    public Session? Get(string id)
    {
        lock (_sessionsLock)
        {
            return _sessions.TryGetValue(id, out var session) && session.ExpiresAt > DateTimeOffset.UtcNow ? session : null;
        }
    }

    public async Task<Session> CreateAsync(string userId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new ArgumentException("User id is required.", nameof(userId));
        }

        var session = new Session(Guid.NewGuid().ToString("N"), userId, DateTimeOffset.UtcNow + ttl, new Dictionary<string, string>());
        lock (_sessionsLock)
        {
            _sessions[session.Id] = session;
        }

        await _persistGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _persistence.SaveAsync(session.Id, JsonSerializer.Serialize(session), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _persistGate.Release();
        }

        return session;
    }

    public async Task RenewAsync(string id, TimeSpan ttl, CancellationToken cancellationToken)
    {
        Session renewed;
        lock (_sessionsLock)
        {
            if (!_sessions.TryGetValue(id, out var current))
            {
                throw new KeyNotFoundException($"Session {id} does not exist.");
            }

            renewed = current with { ExpiresAt = DateTimeOffset.UtcNow + ttl };
            _sessions[id] = renewed;
        }

        await _persistGate.WaitAsync(cancellationToken).ConfigureAwait(false); // expect: CONC033
        await _persistence.SaveAsync(id, JsonSerializer.Serialize(renewed), cancellationToken).ConfigureAwait(false);
        _persistGate.Release();
    }

    public async Task ExportAsync(CancellationToken cancellationToken)
    {
        Monitor.Enter(_exportLock);
        try
        {
            var snapshot = SnapshotSessions();
            await _persistence.SaveAsync("export", JsonSerializer.Serialize(snapshot), cancellationToken).ConfigureAwait(false); // expect: CONC034
            _lastExportAt = DateTimeOffset.UtcNow;
        }
        finally
        {
            Monitor.Exit(_exportLock);
        }
    }

    public async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        _snapshotMutex.WaitOne();
        try
        {
            var snapshot = SnapshotSessions();
            await _persistence.SaveAsync("snapshot", JsonSerializer.Serialize(snapshot), cancellationToken).ConfigureAwait(false); // expect: CONC034
            _lastSnapshotAt = DateTimeOffset.UtcNow;
        }
        finally
        {
            _snapshotMutex.ReleaseMutex();
        }

        _logger.Info("Session snapshot written.");
    }

    public void Touch(string id)
    {
        if (Get(id) is null)
        {
            return;
        }

        lock (new object()) // expect: CONC031
        {
            _lastActivity = DateTimeOffset.UtcNow;
        }
    }

    public int SweepExpired()
    {
        var now = DateTimeOffset.UtcNow;
        int removed;
        lock (_sessionsLock)
        {
            var expired = _sessions.Values.Where(s => s.ExpiresAt <= now).Select(s => s.Id).ToList();
            foreach (var id in expired)
            {
                _sessions.Remove(id);
            }

            removed = expired.Count;
        }

        var sweepLock = new object();
        lock (sweepLock) // expect: CONC031
        {
            _sweptTotal += removed;
        }

        if (removed > 0)
        {
            _logger.Info($"Swept {removed} expired sessions.");
        }

        return removed;
    }

    public int CountLookup()
    {
        lock (GetType()) // expect: CONC031
        {
            _instanceLookups++;
            return _instanceLookups;
        }
    }

    public (DateTimeOffset LastExport, DateTimeOffset LastSnapshot) GetPersistenceTimes()
    {
        lock (_exportLock)
        {
            return (_lastExportAt, _lastSnapshotAt);
        }
    }

    private List<Session> SnapshotSessions()
    {
        lock (_sessionsLock)
        {
            return _sessions.Values.ToList();
        }
    }

    public void Dispose()
    {
        _persistGate.Dispose();
        _snapshotMutex.Dispose();
    }
}
