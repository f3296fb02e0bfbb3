using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Pricing
{
    public sealed record PriceQuote(string Sku, decimal Amount, string Currency, DateTimeOffset AsOf);

    public interface IPriceSource
    {
        Task<IReadOnlyDictionary<string, PriceQuote>> FetchAllAsync(CancellationToken ct);
    }

    /// <summary>
    /// Read-mostly cache of catalogue prices. Refreshed wholesale by a background job,
    /// individual quotes can be overridden by the pricing admin UI.
    /// </summary>
    public sealed class PriceCache
    {
        private readonly object _sync = new object();
        private readonly IPriceSource _source;
        private readonly TimeSpan _ttl;
        private Dictionary<string, PriceQuote> _quotes = new Dictionary<string, PriceQuote>(StringComparer.OrdinalIgnoreCase);
        private DateTimeOffset _lastRefresh;
        private int _hits;
        private int _misses;
        private bool _stale;

        public PriceCache(IPriceSource source, TimeSpan ttl)
        {
            _source = source;
            _ttl = ttl;
            _lastRefresh = DateTimeOffset.MinValue;
            _stale = true;
        }

        public DateTimeOffset LastRefresh => _lastRefresh;

        public bool IsStale => _stale;

        public bool NeedsRefresh(DateTimeOffset now) => _stale || now - _lastRefresh > _ttl;

        public bool TryGet(string sku, out PriceQuote? quote)
        {
            lock (_sync)
            {
                if (_quotes.TryGetValue(sku, out quote))
                {
                    _hits++;
                    return true;
                }

                _misses++;
                return false;
            }
        }

        public void Override(PriceQuote quote)
        {
            lock (_sync)
            {
                _quotes[quote.Sku] = quote;
            }
        }

        public async Task RefreshAsync(CancellationToken ct)
        {
            var fresh = await _source.FetchAllAsync(ct).ConfigureAwait(false);
            var copy = new Dictionary<string, PriceQuote>(fresh, StringComparer.OrdinalIgnoreCase);

            lock (_sync)
            {
                _quotes = copy;
                _lastRefresh = DateTimeOffset.UtcNow;
                _stale = false;
            }
        }

        // Called by the message-bus handler when upstream announces a price change.
        public void Invalidate()
        {
            _stale = true;                              // expect: CONC003
            _lastRefresh = DateTimeOffset.MinValue;     // expect: CONC003
        }

        public void ResetStatistics()
        {
            _hits = 0;                                  // expect: CONC003
            lock (_sync)
            {
                _misses = 0;
            }
        }

        public (int Hits, int Misses) Statistics
        {
            get
            {
                lock (_sync)
                {
                    return (_hits, _misses);
                }
            }
        }

        public IReadOnlyList<PriceQuote> Cheapest(int count)
        {
            lock (_sync)
            {
                return _quotes.Values.OrderBy(q => q.Amount).Take(count).ToList();
            }
        }
    }
}
