using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Pricing
{
    public interface IPricingBackend
    {
        /// <summary>Batched lookup; SKUs missing from the result are unknown to the backend.</summary>
        Task<IReadOnlyDictionary<string, decimal>> GetPricesAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken);
    }

    public sealed class UnknownSkuException : Exception
    {
        public UnknownSkuException(string sku) : base($"Unknown SKU '{sku}'.") { }
    }

    /// <summary>
    /// Collapses concurrent price lookups into batched backend calls. Callers that ask for
    /// the same SKU while a batch is being assembled share a single backend result.
    /// </summary>
    public sealed class PriceLookupCoalescer : IAsyncDisposable
    {
        private const int MaxBatch = 100;

        private readonly Channel<PendingLookup> _requests;
        private readonly IPricingBackend _backend;
        private readonly Task _dispatchLoop;

        public PriceLookupCoalescer(IPricingBackend backend)
        {
            _backend = backend;
            _requests = Channel.CreateUnbounded<PendingLookup>(new UnboundedChannelOptions
            {
                SingleReader = true,
                SingleWriter = false,
            });
            _dispatchLoop = Task.Run(DispatchLoopAsync);
        }

        public Task<decimal> GetPriceAsync(string sku)
        {
            var pending = new PendingLookup(sku);
            if (!_requests.Writer.TryWrite(pending))
            {
                return Task.FromException<decimal>(new ObjectDisposedException(nameof(PriceLookupCoalescer)));
            }

            return pending.Completion.Task;
        }

        private async Task DispatchLoopAsync()
        {
            var reader = _requests.Reader;
            var batch = new List<PendingLookup>(MaxBatch);

            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await DispatchAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }

        private async Task DispatchAsync(List<PendingLookup> batch)
        {
            var bySku = batch.GroupBy(p => p.Sku, StringComparer.OrdinalIgnoreCase).ToList();

            IReadOnlyDictionary<string, decimal> prices;
            try
            {
                prices = await _backend.GetPricesAsync(bySku.Select(g => g.Key).ToArray(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(ex);
                }

                return;
            }

            foreach (var group in bySku)
            {
                var found = prices.TryGetValue(group.Key, out var price);
                foreach (var pending in group)
                {
                    if (found)
                    {
                        pending.Completion.TrySetResult(price);
                    }
                    else
                    {
                        pending.Completion.TrySetException(new UnknownSkuException(group.Key));
                    }
                }
            }
        }

        /// <summary>Stops accepting new lookups; queued lookups are still answered.</summary>
        public Task StopAsync()
        {
            _requests.Writer.TryComplete();
            return _dispatchLoop;
        }

        public async ValueTask DisposeAsync()
        {
            _requests.Writer.TryComplete();
            await _dispatchLoop.ConfigureAwait(false);
        }

        private sealed class PendingLookup
        {
            public PendingLookup(string sku)
            {
                Sku = sku;
            }

            public string Sku { get; }

            public TaskCompletionSource<decimal> Completion { get; } =
                new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
