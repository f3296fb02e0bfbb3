using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Webhooks;

public interface IHostedService
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

public enum DeliveryResult
{
    Delivered,
    Transient,
    Rejected,
}

public sealed record WebhookDelivery(Guid Id, string Endpoint, string Payload, int Attempt);

public interface IWebhookSender
{
    Task<DeliveryResult> SendAsync(string endpoint, string payload, CancellationToken cancellationToken);
}

public interface IOutboxLog
{
    void Queued(Guid id, string endpoint);

    void Delivered(Guid id, int attempt);

    void Dropped(Guid id, string reason);
}

internal static class RetrySchedule
{
    public static TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(300, Math.Pow(2, attempt));
        var jitter = Random.Shared.NextDouble() * 0.2 * seconds;
        return TimeSpan.FromSeconds(seconds + jitter);
    }
}

public sealed class WebhookOutbox : IHostedService
{
    private const int MaxAttempts = 6;

    private readonly Channel<WebhookDelivery> _queue = Channel.CreateBounded<WebhookDelivery>(new BoundedChannelOptions(5_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IWebhookSender _sender;
    private readonly IOutboxLog _log;
    private readonly CancellationTokenSource _stopping = new();
    private Task _pump = Task.CompletedTask;
    private int _scheduledRetries;

    public WebhookOutbox(IWebhookSender sender, IOutboxLog log)
    {
        _sender = sender;
        _log = log;
    }

    public int ScheduledRetries => Volatile.Read(ref _scheduledRetries);

    public void Enqueue(string endpoint, string payload)
    {
        var delivery = new WebhookDelivery(Guid.NewGuid(), endpoint, payload, Attempt: 1);
        _queue.Writer.TryWrite(delivery); // expect: CONC040
        _log.Queued(delivery.Id, endpoint);
    }

    public async ValueTask<bool> EnqueueAsync(string endpoint, string payload, CancellationToken cancellationToken)
    {
        var delivery = new WebhookDelivery(Guid.NewGuid(), endpoint, payload, Attempt: 1);
        try
        {
            await _queue.Writer.WriteAsync(delivery, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            _log.Dropped(delivery.Id, "outbox stopped");
            return false;
        }

        _log.Queued(delivery.Id, endpoint);
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _pump = Task.Run(() => PumpAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        using (cancellationToken.Register(() => _stopping.Cancel()))
        {
            try
            {
                await _pump;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            var result = await _sender.SendAsync(delivery.Endpoint, delivery.Payload, cancellationToken);
            switch (result)
            {
                case DeliveryResult.Delivered:
                    _log.Delivered(delivery.Id, delivery.Attempt);
                    break;
                case DeliveryResult.Transient when delivery.Attempt < MaxAttempts:
                    Interlocked.Increment(ref _scheduledRetries);
                    _ = RetryLaterAsync(delivery with { Attempt = delivery.Attempt + 1 }, cancellationToken);
                    break;
                default:
                    _log.Dropped(delivery.Id, $"gave up after {delivery.Attempt} attempts ({result})");
                    break;
            }
        }
    }

    private async Task RetryLaterAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RetrySchedule.Backoff(delivery.Attempt), cancellationToken);
            await _queue.Writer.WriteAsync(delivery, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            _log.Dropped(delivery.Id, "outbox stopped before retry");
        }
        catch (OperationCanceledException)
        {
            _log.Dropped(delivery.Id, "outbox shut down before retry");
        }
        finally
        {
            Interlocked.Decrement(ref _scheduledRetries);
        }
    }
}
