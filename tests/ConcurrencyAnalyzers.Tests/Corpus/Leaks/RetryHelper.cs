using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.RetryHelper;

public sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

    // Exponential backoff with +/-20% jitter.
    public TimeSpan DelayFor(int attempt)
    {
        var ms = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}

public static class Retry
{
    public static async Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> operation,
        RetryPolicy policy,
        Func<Exception, bool> isTransient,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken);
            }
            catch (Exception ex) when (attempt < policy.MaxAttempts && isTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                // transient: fall through to the backoff below
            }

            await Task.Delay(policy.DelayFor(attempt), cancellationToken);
        }
    }

    public static async Task ExecuteAsync(Func<Task> operation, RetryPolicy policy, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            attempt++;
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await operation();
                return;
            }
            catch (HttpRequestException) when (attempt < policy.MaxAttempts)
            {
                await Task.Delay(policy.DelayFor(attempt));
            }
        }
    }

    public static async Task<T> ExecuteWithTimeoutAsync<T>(
        Func<CancellationToken, Task<T>> operation,
        TimeSpan perAttemptTimeout,
        RetryPolicy policy,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptCts.CancelAfter(perAttemptTimeout);
            try
            {
                return await operation(attemptCts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < policy.MaxAttempts)
            {
                // this attempt timed out; try again
            }

            await Task.Delay(policy.DelayFor(attempt)); // expect: CONC012
        }
    }

    // Kept for older call sites that have no token to pass.
    public static async Task<T> TimeoutAfter<T>(this Task<T> task, TimeSpan timeout)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) == task) // expect: CONC014
        {
            return await task;
        }

        throw new TimeoutException($"The operation did not complete within {timeout}.");
    }
}

public sealed record OutboxMessage(Guid Id, string Topic, string Body);

public interface ITransport
{
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken = default);
}

public interface IOutboxStore
{
    Task<IReadOnlyList<OutboxMessage>> ClaimBatchAsync(int max);
    Task WaitForMessagesAsync();
    Task MarkSentAsync(Guid id);
}

public interface ILog
{
    void Warn(string message);
}

public sealed class OutboxPublisher
{
    private readonly ITransport _transport;
    private readonly IOutboxStore _store;
    private readonly ILog _log;

    public OutboxPublisher(ITransport transport, IOutboxStore store, ILog log)
    {
        _transport = transport;
        _store = store;
        _log = log;
    }

    public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        Retry.ExecuteAsync(
            async ct =>
            {
                await _transport.SendAsync(message, ct);
                return true;
            },
            RetryPolicy.Default,
            ex => ex is HttpRequestException,
            cancellationToken);

    // Used by the web tier so the request does not wait on the broker.
    public void PublishInBackground(OutboxMessage message)
    {
        Task.Run(async () => // expect: CONC010
        {
            for (;;)
            {
                try
                {
                    await _transport.SendAsync(message);
                    return;
                }
                catch (HttpRequestException ex)
                {
                    _log.Warn($"Publishing {message.Id} to {message.Topic} failed: {ex.Message}; retrying in 5s.");
                }

                await Task.Delay(TimeSpan.FromSeconds(5));
            }
        });
    }

    // The store is disposed on shutdown, which is what ends this loop.
    public Task StartDraining()
    {
        return Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    var batch = await _store.ClaimBatchAsync(50);
                    if (batch.Count == 0)
                    {
                        await _store.WaitForMessagesAsync();
                        continue;
                    }

                    foreach (var message in batch)
                    {
                        await _transport.SendAsync(message);
                        await _store.MarkSentAsync(message.Id);
                    }
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (HttpRequestException ex)
                {
                    _log.Warn($"Outbox drain failed: {ex.Message}");
                }
            }
        });
    }
}
