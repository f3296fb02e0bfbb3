using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Feeds;

public sealed record FeedItem(Uri Feed, string Guid, string Title, DateTimeOffset Published);

public sealed record ImportResult(int Stored, int Duplicates, int Stale);

public interface IFeedClient
{
    IAsyncEnumerable<FeedItem> ReadItemsAsync(Uri feed, CancellationToken cancellationToken);
}

public interface IArticleStore
{
    Task<bool> UpsertAsync(FeedItem item, CancellationToken cancellationToken);
}

internal sealed class FreshnessPolicy
{
    private readonly TimeSpan _maxAge;

    public FreshnessPolicy(TimeSpan maxAge) => _maxAge = maxAge;

    public bool IsFresh(FeedItem item) => DateTimeOffset.UtcNow - item.Published <= _maxAge;
}

public sealed class FeedImporter
{
    private readonly IFeedClient _client;
    private readonly IArticleStore _store;
    private readonly FreshnessPolicy _freshness = new(TimeSpan.FromDays(14));
    private readonly ConcurrentDictionary<string, byte> _seenGuids = new(StringComparer.Ordinal);
    private int _duplicates;
    private int _stale;

    public FeedImporter(IFeedClient client, IArticleStore store)
    {
        _client = client;
        _store = store;
    }

    public async Task<ImportResult> ImportAsync(IReadOnlyCollection<Uri> feeds, CancellationToken cancellationToken)
    {
        var items = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(512)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var pulls = new List<Task>(feeds.Count);
        foreach (var feed in feeds)
        {
            pulls.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var item in _client.ReadItemsAsync(feed, cancellationToken))
                    {
                        if (!_freshness.IsFresh(item))
                        {
                            Interlocked.Increment(ref _stale);
                        }
                        else if (_seenGuids.TryAdd(item.Guid, 0))
                        {
                            await items.Writer.WriteAsync(item, cancellationToken);
                        }
                        else
                        {
                            Interlocked.Increment(ref _duplicates);
                        }
                    }
                }
                finally
                {
                    items.Writer.Complete(); // expect: CONC041
                }
            }, cancellationToken));
        }

        var stored = 0;
        await foreach (var item in items.Reader.ReadAllAsync(cancellationToken))
        {
            if (await _store.UpsertAsync(item, cancellationToken))
            {
                stored++;
            }
        }

        await Task.WhenAll(pulls);
        return new ImportResult(stored, Volatile.Read(ref _duplicates), Volatile.Read(ref _stale));
    }
}
