using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.BackgroundRefreshCache;

/// <summary>
/// Holds the latest value produced by <c>load</c> and refreshes it in the background; readers never
/// wait except for the very first load.
/// </summary>
public sealed class RefreshingCache<T> : IAsyncDisposable
    where T : class
{
    private readonly Func<CancellationToken, Task<T>> _load;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly TaskCompletionSource<T> _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _refreshLoop;
    private T? _current;
    private long _failures;

    public RefreshingCache(Func<CancellationToken, Task<T>> load, TimeSpan interval)
    {
        _load = load;
        _interval = interval;
        _refreshLoop = Task.Run(() => RefreshLoopAsync(_disposeCts.Token));
    }

    public event Action<Exception>? RefreshFailed;

    public long Failures => Interlocked.Read(ref _failures);

    public ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _current);
        return current is not null
            ? new ValueTask<T>(current)
            : new ValueTask<T>(_firstLoad.Task.WaitAsync(cancellationToken));
    }

    public async Task<T> RefreshNowAsync(CancellationToken cancellationToken)
    {
        var value = await _load(cancellationToken).ConfigureAwait(false);
        Publish(value);
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        _disposeCts.Cancel();
        try
        {
            await _refreshLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the timer wait observed the cancellation
        }

        _firstLoad.TrySetCanceled();
        _disposeCts.Dispose();
    }

    private void Publish(T value)
    {
        Volatile.Write(ref _current, value);
        _firstLoad.TrySetResult(value);
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                Publish(await _load(cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failures);
                RefreshFailed?.Invoke(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>Older configuration cache kept for the legacy API surface.</summary>
public sealed class ConfigSnapshotCache : IDisposable
{
    private readonly Func<Task<IReadOnlyDictionary<string, string>>> _fetch;
    private readonly Timer _timer;
    private IReadOnlyDictionary<string, string> _snapshot = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public ConfigSnapshotCache(Func<Task<IReadOnlyDictionary<string, string>>> fetch, TimeSpan period)
    {
        _fetch = fetch;
        _timer = new Timer(async _ => await RefreshAsync(), null, TimeSpan.Zero, period); // expect: CONC010
    }

    public string? this[string key] => Volatile.Read(ref _snapshot).TryGetValue(key, out var value) ? value : null;

    public void Dispose() => _timer.Dispose();

    private async Task RefreshAsync()
    {
        try
        {
            var fresh = await _fetch().ConfigureAwait(false);
            Volatile.Write(ref _snapshot, fresh);
        }
        catch (Exception)
        {
            // keep serving the previous snapshot; the next tick retries
        }
    }
}

/// <summary>Per-entry time-to-live cache with a background sweeper.</summary>
public sealed class ExpiringCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly TimeSpan _ttl;

    public ExpiringCache(TimeSpan ttl)
    {
        _ttl = ttl;
        EvictionLoop = Task.Run(async () =>
        {
            while (true) // expect: CONC011
            {
                await Task.Delay(ttl);
                EvictExpired(DateTime.UtcNow);
            }
        });
    }

    internal Task EvictionLoop { get; }

    public int Count => _entries.Count;

    public void Set(TKey key, TValue value) => _entries[key] = new Entry(value, DateTime.UtcNow + _ttl);

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > DateTime.UtcNow)
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    public bool Invalidate(TKey key) => _entries.TryRemove(key, out _);

    private void EvictExpired(DateTime now)
    {
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                // Removes the entry only if it has not been replaced since we looked at it.
                _entries.TryRemove(pair);
            }
        }
    }

    private sealed record Entry(TValue Value, DateTime ExpiresAt);
}
