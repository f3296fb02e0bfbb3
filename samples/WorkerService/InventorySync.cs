using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>
    /// Keeps the warehouse stock levels in sync: a background poller, a per-call timeout and a refresh
    /// kicked off when a level looks stale. Each piece leaks work or a timer in its own way.
    /// </summary>
    public sealed class InventorySync
    {
        private readonly HttpClient _http = new HttpClient { BaseAddress = new Uri("https://stock.example/") };
        private string _levels = string.Empty;

        public void Start()
        {
            // The poller is dropped: nothing awaits it, and its loop never looks at a token.
            Task.Run(async () =>
            {
                while (true)
                {
                    _levels = await _http.GetStringAsync("levels");
                    await Task.Delay(TimeSpan.FromSeconds(30));
                }
            });
        }

        public async Task<string> GetLevelAsync(string sku, CancellationToken cancellationToken)
        {
            // The timeout source is never disposed, and the token in scope is not passed to the read.
            var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var response = await _http.GetAsync("levels/" + sku, timeout.Token);
            return await response.Content.ReadAsStringAsync();
        }

        public async Task<string?> TryGetQuicklyAsync(string sku)
        {
            // When the delay wins, the request keeps running.
            var request = _http.GetStringAsync("levels/" + sku);
            if (await Task.WhenAny(request, Task.Delay(500)) != request)
            {
                return null;
            }

            return await request;
        }

        public string Levels => _levels;
    }
}
