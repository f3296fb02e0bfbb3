using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Hedging;

public sealed record Quote(string Symbol, decimal Bid, decimal Ask, string Replica);

public interface IQuoteReplica
{
    string Name { get; }

    Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken);
}

public sealed class QuoteUnavailableException : Exception
{
    public QuoteUnavailableException(string symbol, Exception? inner)
        : base($"No quote replica answered for {symbol}", inner)
    {
    }
}

internal sealed class HedgedCall
{
    private readonly Channel<Quote> _answers = Channel.CreateBounded<Quote>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private int _outstanding;

    public HedgedCall(int replicaCount) => _outstanding = replicaCount;

    public ChannelReader<Quote> Answers => _answers.Reader;

    public async Task AskAsync(IQuoteReplica replica, string symbol, CancellationToken cancellationToken)
    {
        Quote quote;
        try
        {
            quote = await replica.GetQuoteAsync(symbol, cancellationToken);
        }
        catch (Exception ex)
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _answers.Writer.TryComplete(ex);
            }

            return;
        }

        _answers.Writer.TryWrite(quote);
    }
}

public sealed class HedgedQuoteClient
{
    private readonly IReadOnlyList<IQuoteReplica> _replicas;
    private readonly TimeSpan _hedgeAfter;

    public HedgedQuoteClient(IReadOnlyList<IQuoteReplica> replicas, TimeSpan hedgeAfter)
    {
        _replicas = replicas;
        _hedgeAfter = hedgeAfter;
    }

    public async Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken)
    {
        if (_replicas.Count == 0)
        {
            throw new InvalidOperationException("No quote replicas are configured");
        }

        var call = new HedgedCall(_replicas.Count);
        var losers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var attempts = new List<Task>(_replicas.Count);

        try
        {
            for (var i = 0; i < _replicas.Count; i++)
            {
                attempts.Add(call.AskAsync(_replicas[i], symbol, losers.Token));
                if (i == _replicas.Count - 1 || await AnswerWithinAsync(call.Answers, _hedgeAfter, cancellationToken))
                {
                    break;
                }
            }

            return await call.Answers.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw new QuoteUnavailableException(symbol, ex.InnerException);
        }
        finally
        {
            losers.Cancel();
            _ = ReleaseWhenSettledAsync(attempts, losers);
        }
    }

    private static async Task<bool> AnswerWithinAsync(ChannelReader<Quote> answers, TimeSpan window, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(window);
        try
        {
            return await answers.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task ReleaseWhenSettledAsync(List<Task> attempts, CancellationTokenSource losers)
    {
        try
        {
            await Task.WhenAll(attempts);
        }
        finally
        {
            losers.Dispose();
        }
    }
}
