using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.MarketData;

public readonly record struct Quote(string Symbol, decimal Bid, decimal Ask, long SequenceNumber);

public interface IFeedConnection
{
    /// <summary>
    /// Starts pushing raw quotes into <paramref name="sink"/>. The connection owns the writer
    /// from here on and completes it when the upstream session ends.
    /// </summary>
    void Attach(ChannelWriter<Quote> sink);
}

/// <summary>
/// Fans a single market-data feed out to many subscribers (websocket sessions, the risk
/// engine, the recorder). Each subscriber gets its own small buffer; slow subscribers lose
/// the oldest quotes rather than holding up everybody else.
/// </summary>
public sealed class QuoteStreamHub : IDisposable
{
    private readonly Channel<Quote> _inbound = Channel.CreateUnbounded<Quote>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Quote> _manual = Channel.CreateUnbounded<Quote>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Subscriber> _subscribers = new();
    private readonly object _gate = new();
    private readonly Task _pump;
    private readonly Task _manualPump;
    private long _undelivered;

    public QuoteStreamHub(IFeedConnection connection)
    {
        connection.Attach(_inbound.Writer);
        _pump = Task.Run(() => PumpAsync(_inbound.Reader));
        _manualPump = Task.Run(() => PumpAsync(_manual.Reader));
    }

    /// <summary>Operator overrides and replayed quotes from the admin console are written here.</summary>
    public ChannelWriter<Quote> ManualInput => _manual.Writer;

    public Task Completion => Task.WhenAll(_pump, _manualPump);

    public long Undelivered => Interlocked.Read(ref _undelivered);

    public ChannelReader<Quote> Subscribe(string symbol, int buffer = 256)
    {
        var channel = Channel.CreateBounded<Quote>(new BoundedChannelOptions(buffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });

        lock (_gate)
        {
            _subscribers.Add(new Subscriber(symbol, channel));
        }

        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<Quote> reader)
    {
        lock (_gate)
        {
            var index = _subscribers.FindIndex(s => ReferenceEquals(s.Buffer.Reader, reader));
            if (index < 0)
            {
                return;
            }

            _subscribers[index].Buffer.Writer.TryComplete();
            _subscribers.RemoveAt(index);
        }
    }

    public async IAsyncEnumerable<Quote> WatchAsync(string symbol, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = Subscribe(symbol);
        try
        {
            await foreach (var quote in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return quote;
            }
        }
        finally
        {
            Unsubscribe(reader);
        }
    }

    private async Task PumpAsync(ChannelReader<Quote> source)
    {
        await foreach (var quote in source.ReadAllAsync().ConfigureAwait(false))
        {
            lock (_gate)
            {
                foreach (var subscriber in _subscribers)
                {
                    if (!string.Equals(subscriber.Symbol, quote.Symbol, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    // DropOldest never rejects an open buffer, so a failed write means the
                    // subscriber was closed; it is only counted for the diagnostics page.
                    if (!subscriber.Buffer.Writer.TryWrite(quote))
                    {
                        Interlocked.Increment(ref _undelivered);
                    }
                }
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Buffer.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }

    private sealed record Subscriber(string Symbol, Channel<Quote> Buffer);
}
