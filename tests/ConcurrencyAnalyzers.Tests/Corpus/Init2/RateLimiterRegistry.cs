using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.RateLimiterRegistry;

/// <summary>Classic token bucket; refills lazily on each acquire.</summary>
public sealed class TokenBucket
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly double _refillPerSecond;
    private double _tokens;
    private DateTime _lastRefillUtc;

    public TokenBucket(int capacity, double refillPerSecond)
    {
        _capacity = capacity;
        _refillPerSecond = refillPerSecond;
        _tokens = capacity;
        _lastRefillUtc = DateTime.UtcNow;
    }

    public bool TryTake()
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            _tokens = Math.Min(_capacity, _tokens + (now - _lastRefillUtc).TotalSeconds * _refillPerSecond);
            _lastRefillUtc = now;
            if (_tokens < 1)
                return false;
            _tokens -= 1;
            return true;
        }
    }
}

/// <summary>Per-client rate limiting for the public API gateway.</summary>
public sealed class ClientRateLimiter
{
    private static readonly object s_instanceGate = new();
    private static ClientRateLimiter? s_instance;

    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTime> _blockedUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _rejections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _outcomes = new(StringComparer.Ordinal);

    public ClientRateLimiter()
    {
        foreach (var outcome in new[] { "admitted", "throttled", "blocked" })
            _outcomes[outcome] = 0;
    }

    public int DefaultCapacity { get; init; } = 100;

    public static ClientRateLimiter Instance
    {
        get
        {
            if (s_instance == null) // expect: CONC051
            {
                lock (s_instanceGate)
                {
                    if (s_instance == null)
                        s_instance = new ClientRateLimiter();
                }
            }
            return s_instance;
        }
    }

    // Partner clients get a custom bucket size from the admin portal.
    public void ConfigureClient(string clientId, int capacity)
    {
        if (!_buckets.ContainsKey(clientId)) // expect: CONC052
            _buckets[clientId] = new TokenBucket(capacity, capacity / 60.0);
    }

    public void Block(string clientId, TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        _blockedUntil.AddOrUpdate(clientId, until, (_, existing) => existing > until ? existing : until);
    }

    public bool TryAcquire(string clientId)
    {
        if (_blockedUntil.TryGetValue(clientId, out var until)) // expect: CONC052
        {
            if (DateTime.UtcNow < until)
            {
                _outcomes["blocked"]++; // expect: CONC052
                return false;
            }
            _blockedUntil.TryRemove(clientId, out _); // block has expired
        }

        var bucket = _buckets.GetOrAdd(clientId, id => new TokenBucket(DefaultCapacity, DefaultCapacity / 60.0));
        if (bucket.TryTake())
        {
            _outcomes.AddOrUpdate("admitted", 1, static (_, n) => n + 1);
            return true;
        }

        _rejections.AddOrUpdate(clientId, 1, static (_, n) => n + 1);
        _outcomes.AddOrUpdate("throttled", 1, static (_, n) => n + 1);
        return false;
    }

    public long RejectionsFor(string clientId) =>
        _rejections.TryGetValue(clientId, out var n) ? n : 0;
}

public sealed record IncomingRequest(string ClientId, string Path);

public static class GatewayPipeline
{
    public static async Task<int> AdmitBatchAsync(IReadOnlyList<IncomingRequest> batch)
    {
        var limiter = ClientRateLimiter.Instance;
        var admitted = await Task.WhenAll(batch.Select(r => Task.Run(() => limiter.TryAcquire(r.ClientId))))
            .ConfigureAwait(false);
        return admitted.Count(a => a);
    }
}
