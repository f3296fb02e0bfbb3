using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks2.CircuitBreaker;

public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public interface IBreakerLogger
{
    void Info(string message);
    void Warn(string message);
}

public enum BreakerState { Closed, Open, HalfOpen }

public sealed record BreakerSnapshot(string Name, BreakerState? State, long Rejected, long Tripped);

public sealed class CircuitOpenException(string name, TimeSpan retryAfter)
    : Exception($"Circuit '{name}' is open; retry after {retryAfter.TotalSeconds:0.0}s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

public sealed class CircuitBreaker(
    string name, IClock clock, IBreakerLogger log, int failureThreshold, TimeSpan failureWindow, TimeSpan openDuration)
    : IDisposable
{
    private readonly ReaderWriterLockSlim _stateLock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _metricsSync = new();
    private readonly Queue<DateTimeOffset> _recentFailures = new();
    private readonly IClock _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    private readonly IBreakerLogger _log = log ?? throw new ArgumentNullException(nameof(log));
    private readonly int _failureThreshold = failureThreshold > 0 ? failureThreshold : throw new ArgumentOutOfRangeException(nameof(failureThreshold));
    private readonly TimeSpan _failureWindow = failureWindow;
    private readonly TimeSpan _openDuration = openDuration;
    private BreakerState _state = BreakerState.Closed;
    private DateTimeOffset _openedAt;
    private bool _probeInFlight;
    private long _rejected;
    private long _tripped;

    public string Name { get; } = name;

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        EnsureCallPermitted();
        try
        {
            var result = await action(cancellationToken);
            OnSuccess();
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OnFailure();
            throw;
        }
    }

    public BreakerSnapshot Snapshot()
    {
        lock (_metricsSync)
        {
            BreakerState? state = null;
            if (_stateLock.TryEnterReadLock(TimeSpan.FromMilliseconds(10)))
            {
                try
                {
                    state = _state;
                }
                finally
                {
                    _stateLock.ExitReadLock();
                }
            }

            return new BreakerSnapshot(Name, state, _rejected, _tripped);
        }
    }

    public void Reset()
    {
        _stateLock.EnterWriteLock();
        try
        {
            _state = BreakerState.Closed;
            _probeInFlight = false;
            _recentFailures.Clear();
        }
        finally
        {
            _stateLock.ExitWriteLock();
        }

        lock (_metricsSync)
        {
            _rejected = 0;
            _tripped = 0;
        }
    }

    public void Dispose() => _stateLock.Dispose();

    // Lock order: _stateLock first, then _metricsSync.
    private void EnsureCallPermitted()
    {
        _stateLock.EnterUpgradeableReadLock();
        try
        {
            if (_state == BreakerState.Closed)
            {
                return;
            }

            var retryAfter = _openedAt + _openDuration - _clock.UtcNow;
            if (_state == BreakerState.Open && retryAfter <= TimeSpan.Zero && !_probeInFlight)
            {
                _stateLock.EnterWriteLock();
                try
                {
                    _state = BreakerState.HalfOpen;
                    _probeInFlight = true;
                }
                finally
                {
                    _stateLock.ExitWriteLock();
                }

                _log.Info($"Breaker '{Name}' is half-open; letting one probe through.");
                return;
            }

            lock (_metricsSync)
            {
                _rejected++;
            }

            throw new CircuitOpenException(Name, retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.Zero);
        }
        finally
        {
            _stateLock.ExitUpgradeableReadLock();
        }
    }

    private void OnSuccess()
    {
        _stateLock.EnterUpgradeableReadLock();
        try
        {
            if (_state == BreakerState.Closed && _recentFailures.Count == 0)
            {
                return;
            }

            _stateLock.EnterWriteLock();
            try
            {
                _state = BreakerState.Closed;
                _probeInFlight = false;
                _recentFailures.Clear();
            }
            finally
            {
                _stateLock.ExitWriteLock();
            }
        }
        finally
        {
            _stateLock.ExitUpgradeableReadLock();
        }
    }

    private void OnFailure()
    {
        var now = _clock.UtcNow;
        var trippedNow = false;
        _stateLock.EnterWriteLock();
        try
        {
            _recentFailures.Enqueue(now);
            while (_recentFailures.Count > 0 && now - _recentFailures.Peek() > _failureWindow)
            {
                _recentFailures.Dequeue();
            }

            if (_state == BreakerState.HalfOpen || _recentFailures.Count >= _failureThreshold)
            {
                trippedNow = _state != BreakerState.Open;
                _state = BreakerState.Open;
                _openedAt = now;
                _probeInFlight = false;
                if (trippedNow)
                {
                    lock (_metricsSync)
                    {
                        _tripped++;
                    }
                }
            }
        }
        finally
        {
            _stateLock.ExitWriteLock();
        }

        if (trippedNow)
        {
            _log.Warn($"Breaker '{Name}' tripped after {_failureThreshold} failure(s) within {_failureWindow}.");
        }
    }
}

public sealed class BreakerRegistry<TKey>(Func<TKey, CircuitBreaker> factory)
    where TKey : notnull
{
    private readonly object _registrySync = new();
    private readonly Dictionary<TKey, CircuitBreaker> _breakers = new();
    private readonly List<CircuitBreaker> _ordered = new();
    private readonly Func<TKey, CircuitBreaker> _factory = factory ?? throw new ArgumentNullException(nameof(factory));

    public CircuitBreaker Get(TKey key)
    {
        lock (_registrySync)
        {
            if (!_breakers.TryGetValue(key, out var breaker))
            {
                breaker = _factory(key);
                _breakers.Add(key, breaker);
                _ordered.Add(breaker);
            }

            return breaker;
        }
    }

    // Operator action after an outage: close every breaker. Registry lock, then each breaker's own locks.
    public void ResetAll()
    {
        lock (_registrySync)
        {
            _ordered.ForEach(breaker => breaker.Reset());
        }
    }
}
