using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks2.EventBus;

public sealed record DomainEvent(string Type, string Key, DateTimeOffset OccurredAt, object? Payload = null);

public delegate ValueTask DomainEventHandler(DomainEvent evt, CancellationToken cancellationToken);

/// <summary>
/// In-process pub/sub: publishers write to a bounded channel, a single pump delivers each event
/// to every subscriber in order.
/// </summary>
public sealed class EventDispatcher : IAsyncDisposable
{
    private readonly Channel<DomainEvent> _channel;
    private readonly object _sync = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _pump;
    private ImmutableArray<DomainEventHandler> _subscribers = ImmutableArray<DomainEventHandler>.Empty;

    public EventDispatcher(int capacity = 1024)
    {
        _channel = Channel.CreateBounded<DomainEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _pump = Task.Run(() => PumpAsync(_shutdown.Token));
    }

    public event Action<DomainEvent, Exception>? HandlerFailed;

    public IDisposable Subscribe(DomainEventHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_sync)
        {
            _subscribers = _subscribers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    public ValueTask PublishAsync(DomainEvent evt, CancellationToken cancellationToken = default) =>
        _channel.Writer.WriteAsync(evt, cancellationToken);

    public bool TryPublish(DomainEvent evt) => _channel.Writer.TryWrite(evt);

    public async Task PublishBatchAsync(IEnumerable<DomainEvent> events, CancellationToken cancellationToken)
    {
        foreach (var evt in events)
        {
            await _channel.Writer.WriteAsync(evt).ConfigureAwait(false); // expect: CONC012
        }
    }

    /// <summary>Publishes <paramref name="request"/> and waits for the matching reply event.</summary>
    public async Task<DomainEvent?> RequestAsync(DomainEvent request, string replyType, TimeSpan timeout)
    {
        var reply = new TaskCompletionSource<DomainEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Subscribe((evt, _) =>
        {
            if (evt.Type == replyType && evt.Key == request.Key)
            {
                reply.TrySetResult(evt);
            }

            return ValueTask.CompletedTask;
        });

        var timeoutCts = new CancellationTokenSource(timeout); // expect: CONC013
        try
        {
            await PublishAsync(request, timeoutCts.Token).ConfigureAwait(false);
            return await reply.Task.WaitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        try
        {
            // Let the pump drain what was already published, but not forever.
            await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _shutdown.Cancel();
            await _pump.ConfigureAwait(false);
        }
        finally
        {
            _shutdown.Dispose();
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var evt in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                ImmutableArray<DomainEventHandler> subscribers;
                lock (_sync)
                {
                    subscribers = _subscribers;
                }

                foreach (var subscriber in subscribers)
                {
                    try
                    {
                        await subscriber(evt, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        HandlerFailed?.Invoke(evt, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // shutdown was forced before the backlog drained
        }
    }

    private void Unsubscribe(DomainEventHandler handler)
    {
        lock (_sync)
        {
            _subscribers = _subscribers.Remove(handler);
        }
    }

    private sealed class Subscription : IDisposable
    {
        private readonly DomainEventHandler _handler;
        private EventDispatcher? _owner;

        public Subscription(EventDispatcher owner, DomainEventHandler handler)
        {
            _owner = owner;
            _handler = handler;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Unsubscribe(_handler);
    }
}
