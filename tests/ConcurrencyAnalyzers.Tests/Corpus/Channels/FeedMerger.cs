using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.FeedMerging;

public sealed record FeedItem(string FeedId, string ItemId, string Title, DateTimeOffset Published);

public sealed record FeedFailure(Uri Feed, string Reason);

public sealed record MergeResult(int Inserted, int Duplicates, IReadOnlyList<FeedFailure> Failures);

public interface IFeedClient
{
    IAsyncEnumerable<FeedItem> FetchAsync(Uri feed, CancellationToken cancellationToken);
}

public interface IItemStore
{
    /// <returns><c>true</c> if the item was new.</returns>
    ValueTask<bool> UpsertAsync(FeedItem item, CancellationToken cancellationToken);
}

/// <summary>
/// Pulls a set of RSS/Atom feeds concurrently and merges them into the item store.
/// One producer per feed, a single consumer doing the writes so the store only sees
/// one connection.
/// </summary>
public sealed class FeedMerger
{
    private readonly IFeedClient _client;
    private readonly IItemStore _store;

    public FeedMerger(IFeedClient client, IItemStore store)
    {
        _client = client;
        _store = store;
    }

    public async Task<MergeResult> MergeAsync(IReadOnlyCollection<Uri> feeds, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(500)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        var failures = new ConcurrentQueue<FeedFailure>();

        var producers = new List<Task>(feeds.Count);
        foreach (var feed in feeds)
        {
            producers.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var item in _client.FetchAsync(feed, cancellationToken))
                    {
                        await channel.Writer.WriteAsync(item, cancellationToken);
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(new FeedFailure(feed, ex.Message));
                }
                finally
                {
                    channel.Writer.Complete(); // expect: CONC041
                }
            }, cancellationToken));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        int inserted = 0;
        int duplicates = 0;

        await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
        {
            // Several aggregators republish the same story; the first one wins.
            if (!seen.Add(item.FeedId + "/" + item.ItemId))
            {
                duplicates++;
                continue;
            }

            if (await _store.UpsertAsync(item, cancellationToken))
            {
                inserted++;
            }
        }

        await Task.WhenAll(producers);
        return new MergeResult(inserted, duplicates, failures.ToArray());
    }

    /// <summary>
    /// Warms the cache for the given feeds without writing to the store. The returned
    /// reader yields items as they arrive; it completes once every feed has been read.
    /// </summary>
    public ChannelReader<FeedItem> Prefetch(IEnumerable<Uri> feeds, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<FeedItem>(new UnboundedChannelOptions { SingleReader = true });

        var producers = feeds
            .Select(feed => CopyFeedAsync(feed, channel.Writer, cancellationToken))
            .ToArray();

        _ = CompleteWhenDoneAsync(producers, channel.Writer); // expect: CONC010
        return channel.Reader;
    }

    private async Task CopyFeedAsync(Uri feed, ChannelWriter<FeedItem> writer, CancellationToken cancellationToken)
    {
        await foreach (var item in _client.FetchAsync(feed, cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CompleteWhenDoneAsync(Task[] producers, ChannelWriter<FeedItem> writer)
    {
        try
        {
            await Task.WhenAll(producers).ConfigureAwait(false);
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
        }
    }
}
