using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks.QueueConsumerService;

public interface ILogger
{
    void LogInformation(string message);
    void LogError(Exception exception, string message);
}

/// <summary>Minimal stand-in for Microsoft.Extensions.Hosting.BackgroundService.</summary>
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
        if (_executeTask is null)
        {
            return;
        }

        _stoppingCts!.Cancel();
        try
        {
            await _executeTask.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public virtual void Dispose()
    {
        _stoppingCts?.Cancel();
        _stoppingCts?.Dispose();
    }
}

public sealed record OrderMessage(Guid OrderId, string Payload, int Attempt);

public interface IOrderHandler
{
    Task HandleAsync(OrderMessage message, CancellationToken cancellationToken);
}

public interface IAuditStore
{
    Task AppendAsync(IReadOnlyList<string> entries, CancellationToken cancellationToken = default);
}

public sealed class OrderQueue
{
    private readonly Channel<OrderMessage> _channel = Channel.CreateBounded<OrderMessage>(new BoundedChannelOptions(1_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<OrderMessage> Reader => _channel.Reader;

    public ValueTask EnqueueAsync(OrderMessage message, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(message, cancellationToken); // expect: CONC040

    // Called by the host once intake has shut down, so consumers drain and exit.
    public void CompleteAdding() => _channel.Writer.TryComplete();
}

public sealed class OrderIntake
{
    private readonly OrderQueue _queue;

    public OrderIntake(OrderQueue queue) => _queue = queue;

    public async Task<int> AcceptBatchAsync(IEnumerable<OrderMessage> messages, CancellationToken cancellationToken)
    {
        var accepted = 0;
        foreach (var message in messages)
        {
            await _queue.EnqueueAsync(message, cancellationToken);
            accepted++;
        }

        return accepted;
    }
}

public sealed class OrderConsumerWorker : BackgroundService
{
    private readonly OrderQueue _queue;
    private readonly IOrderHandler _handler;
    private readonly ILogger _logger;

    public OrderConsumerWorker(OrderQueue queue, IOrderHandler handler, ILogger logger)
    {
        _queue = queue;
        _handler = handler;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await _handler.HandleAsync(message, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, $"Order {message.OrderId} failed on attempt {message.Attempt}.");
                if (message.Attempt < 3)
                {
                    await _queue.EnqueueAsync(message with { Attempt = message.Attempt + 1 }, stoppingToken);
                }
            }
        }
    }
}

/// <summary>Consumes the express queue; same handler, but batches whatever is ready.</summary>
public sealed class ExpressOrderWorker : BackgroundService
{
    private readonly OrderQueue _expressQueue;
    private readonly IOrderHandler _handler;
    private readonly ILogger _logger;

    public ExpressOrderWorker(OrderQueue expressQueue, IOrderHandler handler, ILogger logger)
    {
        _expressQueue = expressQueue;
        _handler = handler;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _expressQueue.Reader;
        var handled = 0;
        while (true)
        {
            if (!await reader.WaitToReadAsync(stoppingToken))
            {
                break;
            }

            while (reader.TryRead(out var message))
            {
                await _handler.HandleAsync(message, stoppingToken);
                handled++;
            }
        }

        _logger.LogInformation($"Express queue completed after {handled} orders; worker exiting.");
    }
}

/// <summary>Collects audit entries in memory and appends them to the store every few seconds.</summary>
public sealed class AuditFlushWorker : BackgroundService
{
    private const int MaxBatch = 256;
    private readonly ConcurrentQueue<string> _pending = new();
    private readonly IAuditStore _store;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;

    public AuditFlushWorker(IAuditStore store, ILogger logger, TimeSpan interval)
    {
        _store = store;
        _logger = logger;
        _interval = interval;
    }

    public void Record(string entry) => _pending.Enqueue(entry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(MaxBatch);
        while (true) // expect: CONC011
        {
            await Task.Delay(_interval); // expect: CONC012

            while (batch.Count < MaxBatch && _pending.TryDequeue(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await _store.AppendAsync(batch); // expect: CONC012
                batch.Clear();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, $"Failed to flush {batch.Count} audit entries; keeping them for the next round.");
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Final flush so entries recorded during shutdown are not lost.
        var remaining = new List<string>();
        while (_pending.TryDequeue(out var entry))
        {
            remaining.Add(entry);
        }

        if (remaining.Count > 0)
        {
            await _store.AppendAsync(remaining, cancellationToken);
        }
    }
}
