using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.EventBusDispatch;

public interface ILogger
{
    void Info(string message);
    void Error(string message, Exception error);
}

public interface IEventHandler
{
    string Name { get; }

    Task HandleAsync(object evt, CancellationToken cancellationToken);
}

public sealed record DeadLetter(object Event, string HandlerName, string Error, DateTimeOffset FailedAt);

public sealed class DeadLetterQueue
{
    private readonly object _deadLetterLock = new();
    private readonly List<DeadLetter> _letters = new();
    private readonly int _capacity;

    public DeadLetterQueue(int capacity)
    {
        _capacity = capacity > 0 ? capacity : 1000;
    }

    public void Add(object evt, string handlerName, Exception error)
    {
        lock (_deadLetterLock)
        {
            if (_letters.Count >= _capacity)
            {
                _letters.RemoveAt(0);
            }

            _letters.Add(new DeadLetter(evt, handlerName, error.Message, DateTimeOffset.UtcNow));
        }
    }

    public IReadOnlyList<DeadLetter> Drain()
    {
        lock (_deadLetterLock)
        {
            var drained = _letters.ToList();
            _letters.Clear();
            return drained;
        }
    }
}

/// <summary>
/// In-process publish/subscribe. Dispatch is serialized so handlers observe events
/// in publication order.
/// </summary>
public sealed class EventBus : IDisposable
{
    private readonly object _subscribersLock = new();
    private readonly SemaphoreSlim _dispatchGate = new(1, 1);
    private readonly Dictionary<Type, List<IEventHandler>> _subscribers = new();
    private readonly DeadLetterQueue _deadLetters;
    private readonly ILogger _logger;
    private long _published;

    public EventBus(DeadLetterQueue deadLetters, ILogger logger)
    {
        _deadLetters = deadLetters;
        _logger = logger;
    }

    public long PublishedCount
    {
        get
        {
            lock (_subscribersLock)
            {
                return _published;
            }
        }
    }

    public void Subscribe<TEvent>(IEventHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_subscribersLock)
        {
            if (!_subscribers.TryGetValue(typeof(TEvent), out var handlers))
            {
                handlers = new List<IEventHandler>();
                _subscribers[typeof(TEvent)] = handlers;
            }

            if (!handlers.Contains(handler))
            {
                handlers.Add(handler);
            }
        }

        _logger.Info($"{handler.Name} subscribed to {typeof(TEvent).Name}.");
    }

    /// <summary>
    /// Detaches the handler and waits for the dispatch in progress to finish, so the
    /// caller may dispose the handler as soon as this returns.
    /// </summary>
    public bool Unsubscribe<TEvent>(IEventHandler handler)
    {
        lock (_subscribersLock)
        {
            if (!_subscribers.TryGetValue(typeof(TEvent), out var handlers) || !handlers.Remove(handler))
            {
                return false;
            }

            _dispatchGate.Wait(); // expect: CONC030
            try
            {
                _logger.Info($"{handler.Name} detached from {typeof(TEvent).Name} after draining dispatch.");
            }
            finally
            {
                _dispatchGate.Release();
            }

            return true;
        }
    }

    public async Task<int> PublishAsync<TEvent>(TEvent evt, CancellationToken cancellationToken = default)
        where TEvent : notnull
    {
        await _dispatchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IEventHandler[] handlers;
            lock (_subscribersLock) // expect: CONC030
            {
                handlers = _subscribers.TryGetValue(typeof(TEvent), out var list)
                    ? list.ToArray()
                    : Array.Empty<IEventHandler>();
                _published++;
            }

            var delivered = 0;
            foreach (var handler in handlers)
            {
                try
                {
                    await handler.HandleAsync(evt, cancellationToken).ConfigureAwait(false);
                    delivered++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.Error($"{handler.Name} failed on {typeof(TEvent).Name}.", ex);
                    _deadLetters.Add(evt, handler.Name, ex);
                }
            }

            return delivered;
        }
        finally
        {
            _dispatchGate.Release();
        }
    }

    public int SubscriberCount<TEvent>()
    {
        lock (_subscribersLock)
        {
            return _subscribers.TryGetValue(typeof(TEvent), out var handlers) ? handlers.Count : 0;
        }
    }

    public void Dispose() => _dispatchGate.Dispose();
}
