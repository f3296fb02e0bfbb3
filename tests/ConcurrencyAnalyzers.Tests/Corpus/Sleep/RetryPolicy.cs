using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Resilience;

public sealed class RetryOptions
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);
    public double JitterFraction { get; init; } = 0.2;
}

public static class Retry
{
    public static T Execute<T>(Func<T> action, RetryOptions options, Func<Exception, bool>? isTransient = null)
    {
        isTransient ??= IsTransientByDefault;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return action();
            }
            catch (Exception ex) when (attempt < options.MaxAttempts && isTransient(ex))
            {
                var delay = ComputeDelay(attempt, options);
                Console.Error.WriteLine($"Attempt {attempt} failed ({ex.GetType().Name}); retrying in {delay.TotalMilliseconds:F0} ms");
                Thread.Sleep(delay);
            }
        }
    }

    public static async Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> action,
        RetryOptions options,
        CancellationToken token,
        Func<Exception, bool>? isTransient = null)
    {
        isTransient ??= IsTransientByDefault;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < options.MaxAttempts && isTransient(ex) && !token.IsCancellationRequested)
            {
                await Task.Delay(ComputeDelay(attempt, options), token).ConfigureAwait(false);
            }
        }
    }

    public static TimeSpan ComputeDelay(int attempt, RetryOptions options)
    {
        var exponential = options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, options.MaxDelay.TotalMilliseconds);
        var jitter = capped * options.JitterFraction * (Random.Shared.NextDouble() * 2 - 1);
        return TimeSpan.FromMilliseconds(Math.Max(0, capped + jitter));
    }

    private static bool IsTransientByDefault(Exception ex) =>
        ex is TimeoutException or IOException or HttpRequestException;
}

/// <summary>Token bucket used by the synchronous export jobs.</summary>
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

    public void Acquire()
    {
        while (!TryTake(out var wait))
        {
            Thread.Sleep(wait);
        }
    }

    public bool TryTake(out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            _tokens = Math.Min(_capacity, _tokens + (now - _lastRefillUtc).TotalSeconds * _refillPerSecond);
            _lastRefillUtc = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _refillPerSecond);
            return false;
        }
    }
}

public sealed class ThrottledMailer
{
    private readonly TokenBucket _bucket = new(capacity: 10, refillPerSecond: 5);
    private readonly Action<string, string> _send;

    public ThrottledMailer(Action<string, string> send) => _send = send;

    public int SendAll(IEnumerable<(string To, string Body)> messages)
    {
        var sent = 0;
        foreach (var (to, body) in messages)
        {
            _bucket.Acquire();
            Retry.Execute(() => { _send(to, body); return true; }, new RetryOptions { MaxAttempts = 3 });
            sent++;

            if (sent % 100 == 0)
            {
                // Courtesy pause for the shared SMTP relay.
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        }

        return sent;
    }
}
