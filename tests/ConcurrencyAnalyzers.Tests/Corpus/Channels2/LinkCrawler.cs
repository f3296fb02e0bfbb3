using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Crawling;

public sealed record CrawlRequest(Uri Url, int Depth);

public sealed record FetchedPage(Uri Url, int StatusCode, IReadOnlyList<Uri> Links);

public sealed record CrawlSummary(int Fetched, int Failed, int Discovered);

public interface IPageFetcher
{
    Task<FetchedPage> FetchAsync(Uri url, CancellationToken cancellationToken);
}

internal sealed class ScopePolicy
{
    private readonly string _host;

    public ScopePolicy(Uri root) => _host = root.Host;

    public bool InScope(Uri link)
        => (link.Scheme == Uri.UriSchemeHttp || link.Scheme == Uri.UriSchemeHttps)
           && string.Equals(link.Host, _host, StringComparison.OrdinalIgnoreCase);

    public static string Normalize(Uri url)
        => url.GetLeftPart(UriPartial.Query).TrimEnd('/');
}

public sealed class LinkCrawler
{
    private readonly Channel<CrawlRequest> _frontier = Channel.CreateUnbounded<CrawlRequest>();
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly IPageFetcher _fetcher;
    private readonly int _maxDepth;
    private ScopePolicy? _scope;
    private int _pending;
    private int _fetched;
    private int _failed;

    public LinkCrawler(IPageFetcher fetcher, int maxDepth)
    {
        _fetcher = fetcher;
        _maxDepth = maxDepth;
    }

    public async Task<CrawlSummary> CrawlAsync(Uri root, int workerCount, CancellationToken cancellationToken)
    {
        _scope = new ScopePolicy(root);
        if (!Enqueue(new CrawlRequest(root, 0)))
        {
            return new CrawlSummary(0, 0, 0);
        }

        var workers = Enumerable.Range(0, workerCount)
            .Select(_ => Task.Run(() => WorkAsync(cancellationToken), cancellationToken))
            .ToArray();

        await Task.WhenAll(workers);
        return new CrawlSummary(Volatile.Read(ref _fetched), Volatile.Read(ref _failed), _seen.Count);
    }

    private bool Enqueue(CrawlRequest request)
    {
        if (!_seen.TryAdd(ScopePolicy.Normalize(request.Url), 0))
        {
            return false;
        }

        Interlocked.Increment(ref _pending);
        if (_frontier.Writer.TryWrite(request))
        {
            return true;
        }

        Interlocked.Decrement(ref _pending);
        return false;
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        await foreach (var request in _frontier.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                var page = await _fetcher.FetchAsync(request.Url, cancellationToken);
                Interlocked.Increment(ref _fetched);
                if (request.Depth < _maxDepth)
                {
                    EnqueueLinks(page, request.Depth + 1);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _failed);
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _frontier.Writer.TryComplete();
                }
            }
        }
    }

    private void EnqueueLinks(FetchedPage page, int depth)
    {
        var scope = _scope!;
        foreach (var link in page.Links)
        {
            if (scope.InScope(link))
            {
                Enqueue(new CrawlRequest(link, depth));
            }
        }
    }
}
