using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.TenantRateLimiter;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public interface ISystemClock
{
    DateTimeOffset UtcNow { get; }
}

public sealed class RateLimitExceededException : Exception
{
    public RateLimitExceededException(string tenant)
        : base($"Tenant {tenant} exceeded its request rate.")
    {
        Tenant = tenant;
    }

    public string Tenant { get; }
}

public sealed record RateLimitOptions(double TokensPerSecond, int BurstSize, int MaxConcurrentCalls);

public sealed class TokenBucket
{
    private readonly object _bucketLock = new();
    private readonly ISystemClock _clock;
    private readonly double _ratePerSecond;
    private readonly int _capacity;
    private double _tokens;
    private DateTimeOffset _lastRefill;

    public TokenBucket(ISystemClock clock, double ratePerSecond, int capacity)
    {
        _clock = clock;
        _ratePerSecond = ratePerSecond;
        _capacity = capacity;
        _tokens = capacity;
        _lastRefill = clock.UtcNow;
    }

    public double Available
    {
        get
        {
            lock (_bucketLock)
            {
                Refill();
                return _tokens;
            }
        }
    }

    public bool TryTake(int count = 1)
    {
        lock (_bucketLock)
        {
            Refill();
            if (_tokens < count)
            {
                return false;
            }

            _tokens -= count;
            return true;
        }
    }

    // Callers already hold _bucketLock; taking it again here is a cheap re-entry.
    private void Refill()
    {
        lock (_bucketLock)
        {
            var now = _clock.UtcNow;
            var elapsed = (now - _lastRefill).TotalSeconds;
            if (elapsed <= 0)
            {
                return;
            }

            _tokens = Math.Min(_capacity, _tokens + elapsed * _ratePerSecond);
            _lastRefill = now;
        }
    }
}

public sealed class TenantRateLimiter : IDisposable
{
    private readonly object _bucketsLock = new();
    private readonly object _statsLock = new();
    private readonly SemaphoreSlim _concurrencyGate;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly Dictionary<string, TokenBucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _rejections = new(StringComparer.OrdinalIgnoreCase);
    private readonly ISystemClock _clock;
    private readonly ILogger _logger;
    private RateLimitOptions _options;

    public TenantRateLimiter(RateLimitOptions options, ISystemClock clock, ILogger logger)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _concurrencyGate = new SemaphoreSlim(options.MaxConcurrentCalls, options.MaxConcurrentCalls);
    }

    public async Task<T> ExecuteAsync<T>(string tenant, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        if (!GetBucket(tenant).TryTake())
        {
            RecordRejection(tenant);
            throw new RateLimitExceededException(tenant);
        }

        await _concurrencyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrencyGate.Release();
        }
    }

    public async Task<bool> TryExecuteAsync(string tenant, Func<CancellationToken, Task> action, TimeSpan queueTimeout, CancellationToken cancellationToken)
    {
        if (await _concurrencyGate.WaitAsync(queueTimeout, cancellationToken))
        {
            try
            {
                await action(cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                _concurrencyGate.Release();
            }
        }

        RecordRejection(tenant);
        return false;
    }

    public bool Reload(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!_reloadGate.Wait(TimeSpan.Zero))
        {
            _logger.Info("Reload already in progress; ignoring request.");
            return false;
        }

        try
        {
            lock (_bucketsLock)
            {
                _options = options;
                _buckets.Clear();

                // Best effort: the summary is skipped rather than waiting on the stats lock.
                if (Monitor.TryEnter(_statsLock, TimeSpan.FromMilliseconds(50)))
                {
                    try
                    {
                        _logger.Info($"Reloaded limits; {_rejections.Count} tenants had rejections.");
                    }
                    finally
                    {
                        Monitor.Exit(_statsLock);
                    }
                }
                else
                {
                    _logger.Warn("Reloaded limits; stats busy, summary skipped.");
                }
            }

            return true;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    public IReadOnlyDictionary<string, (long Rejections, double Tokens)> Snapshot()
    {
        var result = new Dictionary<string, (long, double)>(StringComparer.OrdinalIgnoreCase);
        lock (_statsLock)
        {
            lock (_bucketsLock)
            {
                foreach (var (tenant, bucket) in _buckets)
                {
                    result[tenant] = (_rejections.GetValueOrDefault(tenant), bucket.Available);
                }
            }
        }

        return result;
    }

    private TokenBucket GetBucket(string tenant)
    {
        lock (_bucketsLock)
        {
            if (!_buckets.TryGetValue(tenant, out var bucket))
            {
                bucket = new TokenBucket(_clock, _options.TokensPerSecond, _options.BurstSize);
                _buckets[tenant] = bucket;
            }

            return bucket;
        }
    }

    private void RecordRejection(string tenant)
    {
        lock (_statsLock)
        {
            _rejections[tenant] = _rejections.GetValueOrDefault(tenant) + 1;
        }

        _logger.Warn($"Rejected request for {tenant}.");
    }

    public void Dispose()
    {
        _concurrencyGate.Dispose();
        _reloadGate.Dispose();
    }
}
