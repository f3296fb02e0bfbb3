using System;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Notifications;

/// <summary>
/// Trimmed-down equivalent of the generic host's BackgroundService; the notifications
/// worker runs inside the legacy service host which has no Microsoft.Extensions.Hosting.
/// </summary>
public abstract class BackgroundService : IDisposable
{
    private Task? _executeTask;
    private CancellationTokenSource? _stoppingCts;

    protected abstract Task ExecuteAsync(CancellationToken stoppingToken);

    public virtual Task StartAsync(CancellationToken cancellationToken)
    {
        _stoppingCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _executeTask = ExecuteAsync(_stoppingCts.Token);
        return _executeTask.IsCompleted ? _executeTask : Task.CompletedTask;
    }

    public virtual async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_executeTask is null || _stoppingCts is null)
        {
            return;
        }

        try
        {
            _stoppingCts.Cancel();
        }
        finally
        {
            var timeout = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => timeout.TrySetCanceled(cancellationToken)))
            {
                await Task.WhenAny(_executeTask, timeout.Task).ConfigureAwait(false);
            }
        }
    }

    public virtual void Dispose() => _stoppingCts?.Cancel();
}

public enum NotificationKind { Email, Sms, Push }

public sealed record Notification(Guid Id, string UserId, NotificationKind Kind, string Template, string PayloadJson);

public interface INotificationSender
{
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>
/// Process-wide notification queue. Request handlers enqueue; the dispatcher fans out
/// over a few consumers that run for the lifetime of the host.
/// </summary>
public sealed class NotificationDispatcher : BackgroundService
{
    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(5_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = false,
        SingleWriter = false,
    });

    private readonly INotificationSender _sender;
    private readonly int _consumers;
    private long _sent;
    private long _failed;

    public NotificationDispatcher(INotificationSender sender, int consumers = 4)
    {
        _sender = sender;
        _consumers = consumers;
    }

    public long Sent => Interlocked.Read(ref _sent);
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>Waits for room when the queue is full, which throttles bursty callers.</summary>
    public ValueTask EnqueueAsync(Notification notification, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(notification, cancellationToken);

    /// <summary>Non-blocking variant for callers that cannot wait (e.g. inside a DB transaction).</summary>
    public bool TryEnqueue(Notification notification) => _queue.Writer.TryWrite(notification);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumers = Enumerable.Range(0, _consumers)
            .Select(id => Task.Run(() => ConsumeAsync(id, stoppingToken), stoppingToken));
        return Task.WhenAll(consumers);
    }

    private async Task ConsumeAsync(int consumerId, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await _sender.SendAsync(notification, stoppingToken);
                    Interlocked.Increment(ref _sent);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Interlocked.Increment(ref _failed);
                    Console.Error.WriteLine($"[notify-{consumerId}] {notification.Kind} to {notification.UserId} failed: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host is stopping; undelivered notifications are re-sent from the outbox table on next start.
        }
    }
}
