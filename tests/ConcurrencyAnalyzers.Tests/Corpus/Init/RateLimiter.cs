using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init.RateLimiter;

public interface IServiceCollection
{
    IServiceCollection Register(Type serviceType, string lifetime);
}

public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services)
        where TService : class
        => services.Register(typeof(TService), "Singleton");

    public static IServiceCollection AddRateLimiting(this IServiceCollection services)
        => services.AddSingleton<ClientRateLimiter>();
}

public sealed class TokenBucket
{
    private readonly object _gate = new();
    private readonly double _capacity;
    private readonly double _refillPerSecond;
    private double _tokens;
    private DateTimeOffset _lastRefill;

    public TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now)
    {
        _capacity = capacity;
        _refillPerSecond = refillPerSecond;
        _tokens = capacity;
        _lastRefill = now;
    }

    public bool TryTake(double cost, DateTimeOffset now)
    {
        lock (_gate)
        {
            var elapsed = (now - _lastRefill).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(_capacity, _tokens + elapsed * _refillPerSecond);
                _lastRefill = now;
            }

            if (_tokens < cost)
            {
                return false;
            }

            _tokens -= cost;
            return true;
        }
    }
}

public sealed class ClientRateLimiter
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _rejections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _consumed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _admitted = new(StringComparer.Ordinal);
    private readonly double _capacity;
    private readonly double _refillPerSecond;
    private readonly int _maxInFlight;
    private long _bucketsCreated;

    public ClientRateLimiter()
        : this(capacity: 100, refillPerSecond: 20, maxInFlight: 8)
    {
    }

    public ClientRateLimiter(double capacity, double refillPerSecond, int maxInFlight)
    {
        _capacity = capacity;
        _refillPerSecond = refillPerSecond;
        _maxInFlight = maxInFlight;
    }

    public long BucketsCreated => Interlocked.Read(ref _bucketsCreated);

    public bool TryAcquire(string clientId, double cost = 1)
    {
        var now = DateTimeOffset.UtcNow;
        var bucket = _buckets.GetOrAdd(clientId, id => // expect: CONC053
        {
            Interlocked.Increment(ref _bucketsCreated);
            return new TokenBucket(_capacity, _refillPerSecond, now);
        });

        if (!bucket.TryTake(cost, now))
        {
            _rejections[clientId]++; // expect: CONC052
            return false;
        }

        _consumed[clientId] += (long)Math.Ceiling(cost); // expect: CONC052
        _admitted.AddOrUpdate(clientId, 1, (_, n) => n + 1);
        return true;
    }

    public async Task<T> RunThrottledAsync<T>(string clientId, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var slots = _inFlight.GetOrAdd(clientId, _ => new SemaphoreSlim(_maxInFlight, _maxInFlight));
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    public long Rejections(string clientId) => _rejections.TryGetValue(clientId, out var count) ? count : 0;

    public long Admitted(string clientId) => _admitted.TryGetValue(clientId, out var count) ? count : 0;

    public IReadOnlyDictionary<string, long> ConsumedSnapshot() => new Dictionary<string, long>(_consumed, StringComparer.Ordinal);

    public void Forget(string clientId)
    {
        _buckets.TryRemove(clientId, out _);
        _rejections.TryRemove(clientId, out _);
        _consumed.TryRemove(clientId, out _);
        _admitted.TryRemove(clientId, out _);
    }
}
