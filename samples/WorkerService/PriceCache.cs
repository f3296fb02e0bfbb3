using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    public interface IPriceFeed
    {
        Task<decimal> GetAsync(string product, CancellationToken cancellationToken);

        IReadOnlyDictionary<string, decimal> Snapshot();
    }

    /// <summary>Prices by product, loaded from the feed and refreshed on demand.</summary>
    public sealed class PriceCache
    {
        private readonly IPriceFeed _feed;
        private IReadOnlyDictionary<string, decimal> _prices = new Dictionary<string, decimal>();

        public PriceCache(IPriceFeed feed) => _feed = feed;

        /// <summary>Loads the whole price list in the background and reports how many prices it has.</summary>
        public async Task<int> WarmUpAsync()
        {
            var load = Task.Run(() => _prices = _feed.Snapshot());
            await Task.Delay(300);
            return _prices.Count;
        }

        public async Task<decimal> GetPriceAsync(string product, CancellationToken cancellationToken)
        {
            if (_prices.TryGetValue(product, out var cached))
            {
                return cached;
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await _feed.GetAsync(product, cancellationToken);
                }
                catch (TimeoutException) when (attempt < 3)
                {
                    // Back off before the next attempt.
                    Thread.Sleep(100 * attempt);
                }
            }
        }
    }

    public sealed class FakePriceFeed : IPriceFeed
    {
        private static readonly Dictionary<string, decimal> Prices = new Dictionary<string, decimal>
        {
            ["apple"] = 0.5m,
            ["pear"] = 0.7m,
        };

        public async Task<decimal> GetAsync(string product, CancellationToken cancellationToken)
        {
            // A deliberate, cancellable pause that simulates network latency: not a finding.
            await Task.Delay(20, cancellationToken);
            return Prices.TryGetValue(product, out var price) ? price : 1m;
        }

        public IReadOnlyDictionary<string, decimal> Snapshot() => Prices;
    }
}
