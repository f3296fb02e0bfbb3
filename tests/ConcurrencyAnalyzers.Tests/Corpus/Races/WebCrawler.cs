using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Crawling
{
    public sealed record CrawlResult(int PagesFetched, int Failures, string Log);

    internal static class LinkExtractor
    {
        public static IEnumerable<Uri> Extract(Uri baseUri, string html)
        {
            int index = 0;
            while ((index = html.IndexOf("href=\"", index, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                index += 6;
                int end = html.IndexOf('"', index);
                if (end < 0) yield break;

                var raw = html.Substring(index, end - index);
                if (Uri.TryCreate(baseUri, raw, out var link) &&
                    (link.Scheme == Uri.UriSchemeHttp || link.Scheme == Uri.UriSchemeHttps))
                {
                    yield return link;
                }
                index = end;
            }
        }
    }

    /// <summary>Same-host crawler used to build the sitemap for the docs portal.</summary>
    public sealed class SiteCrawler
    {
        private readonly HttpClient _http;
        private readonly int _workerCount;
        private readonly int _maxPages;
        private readonly ConcurrentDictionary<string, byte> _visited = new(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentQueue<Uri> _frontier = new();
        private readonly StringBuilder _log = new();
        private int _pagesFetched;
        private int _failures;

        public SiteCrawler(HttpClient http, int workerCount, int maxPages)
        {
            _http = http;
            _workerCount = workerCount;
            _maxPages = maxPages;
        }

        public async Task<CrawlResult> CrawlAsync(Uri root, CancellationToken ct)
        {
            _pagesFetched = 0;
            _failures = 0;
            _log.Clear();
            _visited.Clear();
            _visited.TryAdd(root.AbsoluteUri, 0);
            _frontier.Enqueue(root);

            var workers = new Task[_workerCount];
            for (int w = 0; w < _workerCount; w++)
            {
                workers[w] = Task.Run(async () =>
                {
                    while (_pagesFetched < _maxPages && _frontier.TryDequeue(out var page))
                    {
                        try
                        {
                            var html = await _http.GetStringAsync(page, ct).ConfigureAwait(false);
                            _pagesFetched++;                                            // expect: CONC001
                            foreach (var link in LinkExtractor.Extract(page, html))
                            {
                                if (link.Host == root.Host && _visited.TryAdd(link.AbsoluteUri, 0))
                                {
                                    _frontier.Enqueue(link);
                                }
                            }
                        }
                        catch (HttpRequestException ex)
                        {
                            Interlocked.Increment(ref _failures);
                            _log.AppendLine($"{page}: {ex.Message}");                   // expect: CONC002
                        }
                    }
                    _log.AppendLine($"worker {w} drained the frontier");                // expect: CONC002 CONC004
                }, ct);
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            _log.AppendLine($"crawl of {root} finished: {_pagesFetched} pages");
            return new CrawlResult(_pagesFetched, _failures, _log.ToString());
        }

        public async Task<string[]> FetchSeedsAsync(IReadOnlyList<Uri> seeds, CancellationToken ct)
        {
            var bodies = new string[seeds.Count];
            var tasks = new List<Task>(seeds.Count);
            for (int i = 0; i < seeds.Count; i++)
            {
                int slot = i;
                tasks.Add(Task.Run(async () =>
                {
                    bodies[slot] = await _http.GetStringAsync(seeds[slot], ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _pagesFetched);
                }, ct));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            return bodies;
        }
    }
}
