using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Crawling;

public sealed record SitemapPage(int Number, IReadOnlyList<Uri> Links, bool IsLastPage);

public sealed record CrawlReport(int Fetched, int Failed, int Skipped);

public interface ISitemapSource
{
    /// <summary>
    /// Streams sitemap pages. For live sites the index is re-polled, so the sequence
    /// does not necessarily end on its own after the last page.
    /// </summary>
    IAsyncEnumerable<SitemapPage> ReadPagesAsync(Uri sitemapIndex, CancellationToken cancellationToken);
}

public interface IUrlFilter
{
    bool IsAllowed(Uri url);
}

public interface IPageStore
{
    Task SaveAsync(Uri url, string html, CancellationToken cancellationToken);
}

public sealed class SiteCrawler
{
    private readonly ISitemapSource _sitemaps;
    private readonly IUrlFilter _filter;
    private readonly IPageStore _store;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<Uri, byte> _visited = new();
    private int _fetched;
    private int _failed;
    private int _skipped;

    public SiteCrawler(ISitemapSource sitemaps, IUrlFilter filter, IPageStore store, HttpClient http)
    {
        _sitemaps = sitemaps;
        _filter = filter;
        _store = store;
        _http = http;
    }

    public async Task<CrawlReport> CrawlAsync(Uri sitemapIndex, int fetchers, CancellationToken cancellationToken)
    {
        var frontier = Channel.CreateBounded<Uri>(new BoundedChannelOptions(1_000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });

        var workers = new List<Task>();
        foreach (var workerId in Enumerable.Range(0, fetchers))
        {
            workers.Add(Task.Run(() => FetchLoopAsync(workerId, frontier.Reader, cancellationToken), cancellationToken));
        }

        await ProduceAsync(frontier.Writer, sitemapIndex, cancellationToken);
        await Task.WhenAll(workers);

        return new CrawlReport(
            Volatile.Read(ref _fetched),
            Volatile.Read(ref _failed),
            Volatile.Read(ref _skipped));
    }

    private async Task ProduceAsync(ChannelWriter<Uri> writer, Uri sitemapIndex, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var page in _sitemaps.ReadPagesAsync(sitemapIndex, cancellationToken))
            {
                foreach (var link in page.Links)
                {
                    if (!_filter.IsAllowed(link) || !_visited.TryAdd(link, 0))
                    {
                        Interlocked.Increment(ref _skipped);
                        continue;
                    }

                    await writer.WriteAsync(link, cancellationToken); // expect: CONC040
                }

                if (page.IsLastPage)
                {
                    // Sitemap index says there is nothing more; let the fetchers drain.
                    writer.Complete();
                }
            }
        }
        finally
        {
            writer.Complete(); // expect: CONC041
        }
    }

    private async Task FetchLoopAsync(int workerId, ChannelReader<Uri> reader, CancellationToken cancellationToken)
    {
        await foreach (var url in reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                using var response = await _http.GetAsync(url, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _failed);
                    continue;
                }

                var html = await response.Content.ReadAsStringAsync(cancellationToken);
                await _store.SaveAsync(url, html, cancellationToken);
                Interlocked.Increment(ref _fetched);
            }
            catch (HttpRequestException ex)
            {
                Interlocked.Increment(ref _failed);
                Console.Error.WriteLine($"[fetcher {workerId}] {url}: {ex.Message}");
            }
        }
    }
}
