using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.ResiliencePipeline;

public sealed class BrokenCircuitException : Exception
{
    public BrokenCircuitException()
        : base("The circuit is open; calls are being rejected.")
    {
    }
}

/// <summary>Exponential back-off retry, in the spirit of Polly's WaitAndRetryAsync.</summary>
public sealed class RetryPolicy
{
    private readonly int _maxAttempts;
    private readonly TimeSpan _baseDelay;
    private readonly Func<Exception, bool> _isTransient;

    public RetryPolicy(int maxAttempts, TimeSpan baseDelay, Func<Exception, bool>? isTransient = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAttempts);
        _maxAttempts = maxAttempts;
        _baseDelay = baseDelay;
        _isTransient = isTransient ?? (static ex => ex is HttpRequestException or TimeoutException);
    }

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < _maxAttempts && !cancellationToken.IsCancellationRequested && _isTransient(ex))
            {
                // fall through to the back-off below
            }

            var backoff = TimeSpan.FromMilliseconds(_baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync<bool>(
            async ct =>
            {
                await operation(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}

public static class TimeoutPolicy
{
    /// <summary>Optimistic timeout: the operation is expected to honour the token it is given.</summary>
    public static async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await operation(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The operation did not complete within {timeout}.");
        }
    }

    /// <summary>Pessimistic timeout: stop waiting at the deadline and tell the operation to give up.</summary>
    public static async Task<T> ExecutePessimisticAsync<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = operation(cts.Token);
        var winner = await Task.WhenAny(work, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (winner != work)
        {
            cts.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"The operation did not complete within {timeout}.");
        }

        return await work.ConfigureAwait(false);
    }

    /// <summary>Returns null when the operation has not produced a value within the budget.</summary>
    public static async Task<T?> TryWithinAsync<T>(Func<CancellationToken, Task<T>> operation, TimeSpan budget, CancellationToken cancellationToken)
        where T : class
    {
        var work = operation(cancellationToken);
        var delay = Task.Delay(budget, cancellationToken);
        if (await Task.WhenAny(work, delay).ConfigureAwait(false) == delay) // expect: CONC014
        {
            return null;
        }

        return await work.ConfigureAwait(false);
    }
}

public static class Hedging
{
    /// <summary>
    /// Starts a second copy of the operation if the first has not answered within
    /// <paramref name="hedgeDelay"/>; whichever finishes first wins and the other is cancelled.
    /// </summary>
    public static async Task<T> HedgedAsync<T>(Func<CancellationToken, Task<T>> operation, TimeSpan hedgeDelay, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var primary = operation(cts.Token);
        var hedgeTimer = Task.Delay(hedgeDelay, cts.Token);
        if (await Task.WhenAny(primary, hedgeTimer).ConfigureAwait(false) == primary)
        {
            cts.Cancel(); // stops the hedge timer
            return await primary.ConfigureAwait(false);
        }

        var secondary = operation(cts.Token);
        var winner = await Task.WhenAny(primary, secondary).ConfigureAwait(false);
        cts.Cancel(); // the loser observes cancellation
        return await winner.ConfigureAwait(false);
    }
}

public sealed class CircuitBreaker
{
    private readonly int _failureThreshold;
    private readonly TimeSpan _breakDuration;
    private int _consecutiveFailures;
    private int _open;

    public CircuitBreaker(int failureThreshold, TimeSpan breakDuration)
    {
        _failureThreshold = failureThreshold;
        _breakDuration = breakDuration;
    }

    public bool IsOpen => Volatile.Read(ref _open) == 1;

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (IsOpen)
        {
            throw new BrokenCircuitException();
        }

        try
        {
            var result = await operation(cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _consecutiveFailures, 0);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (Interlocked.Increment(ref _consecutiveFailures) >= _failureThreshold)
            {
                Trip();
            }

            throw;
        }
    }

    private void Trip()
    {
        if (Interlocked.Exchange(ref _open, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () => // expect: CONC010
        {
            await Task.Delay(_breakDuration).ConfigureAwait(false);
            Interlocked.Exchange(ref _consecutiveFailures, 0);
            Volatile.Write(ref _open, 0);
        });
    }
}
