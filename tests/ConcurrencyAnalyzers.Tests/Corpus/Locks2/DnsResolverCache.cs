using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;

namespace Corpus.Locks2.DnsResolverCache;

public interface IUpstreamResolver
{
    IPAddress[] Resolve(string host);
}

public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public interface IDnsLogger
{
    void Debug(string message);

    void Warn(string message);
}

public sealed record DnsCacheStats(long Hits, long Misses, long Evictions, int Entries);

public sealed class DnsResolverCache : IDisposable
{
    private readonly ReaderWriterLockSlim _cacheLock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _statsSync = new();
    private readonly Dictionary<string, CacheEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly IUpstreamResolver _upstream;
    private readonly IClock _clock;
    private readonly IDnsLogger _log;
    private readonly TimeSpan _ttl;
    private long _hits;
    private long _misses;
    private long _evictions;

    public DnsResolverCache(IUpstreamResolver upstream, IClock clock, IDnsLogger log, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), "TTL must be positive.");
        }

        _upstream = upstream ?? throw new ArgumentNullException(nameof(upstream));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _ttl = ttl;
    }

    public IPAddress[] Resolve(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("Host name is required.", nameof(host));
        }

        var now = _clock.UtcNow;
        IPAddress[] resolved;
        _cacheLock.EnterUpgradeableReadLock();
        try
        {
            if (_entries.TryGetValue(host, out var cached) && cached.ExpiresAt > now)
            {
                CountHit(); // expect: CONC030
                return cached.Addresses;
            }

            resolved = _upstream.Resolve(host);
            if (resolved.Length > 0)
            {
                _cacheLock.EnterWriteLock();
                try
                {
                    _entries[host] = new CacheEntry(resolved, now + _ttl);
                }
                finally
                {
                    _cacheLock.ExitWriteLock();
                }
            }
            else
            {
                _log.Warn($"Upstream returned no records for {host}; not caching.");
            }
        }
        finally
        {
            _cacheLock.ExitUpgradeableReadLock();
        }

        CountMiss();
        _log.Debug($"Resolved {host} upstream: {resolved.Length} record(s).");
        return resolved;
    }

    public bool TryPeek(string host, out IPAddress[] addresses)
    {
        _cacheLock.EnterReadLock();
        try
        {
            if (_entries.TryGetValue(host, out var cached) && cached.ExpiresAt > _clock.UtcNow)
            {
                addresses = cached.Addresses;
                return true;
            }
        }
        finally
        {
            _cacheLock.ExitReadLock();
        }

        addresses = Array.Empty<IPAddress>();
        return false;
    }

    public int PurgeExpired()
    {
        int removed;
        _cacheLock.EnterWriteLock();
        try
        {
            removed = RemoveExpired(_entries, _clock.UtcNow);
        }
        finally
        {
            _cacheLock.ExitWriteLock();
        }

        if (removed > 0)
        {
            lock (_statsSync)
            {
                _evictions += removed;
            }
        }

        return removed;
    }

    // Called by the metrics exporter once a minute.
    public DnsCacheStats SnapshotAndReset(bool purgeExpired)
    {
        lock (_statsSync)
        {
            if (purgeExpired)
            {
                _cacheLock.EnterWriteLock(); // expect: CONC030
                try
                {
                    _evictions += RemoveExpired(_entries, _clock.UtcNow);
                }
                finally
                {
                    _cacheLock.ExitWriteLock();
                }
            }

            var entryCount = -1;
            if (_cacheLock.TryEnterReadLock(TimeSpan.FromMilliseconds(50)))
            {
                try
                {
                    entryCount = _entries.Count;
                }
                finally
                {
                    _cacheLock.ExitReadLock();
                }
            }

            var snapshot = new DnsCacheStats(_hits, _misses, _evictions, entryCount);
            _hits = 0;
            _misses = 0;
            _evictions = 0;
            return snapshot;
        }
    }

    public void Dispose() => _cacheLock.Dispose();

    private void CountHit()
    {
        lock (_statsSync)
        {
            _hits++;
        }
    }

    private void CountMiss()
    {
        lock (_statsSync)
        {
            _misses++;
        }
    }

    private static int RemoveExpired(Dictionary<string, CacheEntry> entries, DateTimeOffset now)
    {
        var expired = entries.Where(e => e.Value.ExpiresAt <= now).Select(e => e.Key).ToList();
        foreach (var key in expired)
        {
            entries.Remove(key);
        }

        return expired.Count;
    }

    private sealed record CacheEntry(IPAddress[] Addresses, DateTimeOffset ExpiresAt);
}
