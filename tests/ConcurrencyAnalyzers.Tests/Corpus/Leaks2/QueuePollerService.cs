using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.QueuePollerService;

// ---- minimal hosting / messaging shapes -------------------------------------------------------

public interface IHostedService
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

public interface ILogger
{
    void Log(string message);
}

public sealed record QueueMessage(string Id, string LockToken, ReadOnlyMemory<byte> Body);

public interface IMessageQueue
{
    Task ConnectAsync(CancellationToken cancellationToken = default);

    Task<QueueMessage> ReceiveAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<QueueMessage>> PeekLockedAsync(CancellationToken cancellationToken = default);

    Task RenewLockAsync(QueueMessage message, CancellationToken cancellationToken = default);

    Task CompleteAsync(QueueMessage message, CancellationToken cancellationToken = default);

    Task AbandonAsync(QueueMessage message, CancellationToken cancellationToken = default);

    Task<int> GetDepthAsync(CancellationToken cancellationToken = default);
}

// ---- the service ------------------------------------------------------------------------------

public sealed class QueuePoller : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan LockRenewalInterval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    private readonly IMessageQueue _queue;
    private readonly Func<QueueMessage, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private CancellationTokenSource? _stopping;
    private Task? _pollLoop;
    private Task? _heartbeat;

    public QueuePoller(IMessageQueue queue, Func<QueueMessage, CancellationToken, Task> handler, ILogger logger)
    {
        _queue = queue;
        _handler = handler;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _queue.ConnectAsync(cancellationToken).ConfigureAwait(false);

        _stopping = new CancellationTokenSource();
        _pollLoop = PollAsync(_stopping.Token);
        _heartbeat = HeartbeatAsync(_stopping.Token);

        _ = ReportDepthAsync();
        _ = ReleaseOrphanedLocksAsync(); // expect: CONC010
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || _pollLoop is null || _heartbeat is null)
        {
            return;
        }

        _stopping.Cancel();
        var loops = Task.WhenAll(_pollLoop, _heartbeat);
        try
        {
            await loops.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // either the loops observed the stop request or the host stopped waiting for them
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping is null)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage message;
            try
            {
                message = await _queue.ReceiveAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var keepAlive = KeepLockAliveAsync(message, renewal.Token);
            try
            {
                await _handler(message, stoppingToken).ConfigureAwait(false);
                await _queue.CompleteAsync(message).ConfigureAwait(false); // expect: CONC012
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.Log($"message {message.Id} failed: {ex.Message}");
                await _queue.AbandonAsync(message).ConfigureAwait(false);
            }
            finally
            {
                renewal.Cancel();
                await keepAlive.ConfigureAwait(false);
            }
        }
    }

    private async Task KeepLockAliveAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LockRenewalInterval, cancellationToken).ConfigureAwait(false);
                await _queue.RenewLockAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // processing finished or the host is stopping
        }
        catch (Exception ex)
        {
            _logger.Log($"lock renewal for {message.Id} failed: {ex.Message}");
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                _logger.Log("queue poller alive");
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task ReportDepthAsync()
    {
        var token = _stopping!.Token;
        try
        {
            var depth = await _queue.GetDepthAsync(token).ConfigureAwait(false);
            _logger.Log($"queue depth at start-up: {depth}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.Log($"could not read queue depth: {ex.Message}");
        }
    }

    // Messages locked by a previous instance that crashed are handed back to the queue.
    private async Task ReleaseOrphanedLocksAsync()
    {
        var locked = await _queue.PeekLockedAsync().ConfigureAwait(false);
        foreach (var message in locked)
        {
            await _queue.AbandonAsync(message).ConfigureAwait(false);
        }

        _logger.Log($"released {locked.Count} orphaned locks");
    }
}
