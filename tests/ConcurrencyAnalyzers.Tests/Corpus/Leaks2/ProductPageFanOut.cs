using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.ProductPageFanOut;

public sealed record ProductDetails(string Sku, string Name, string Description);

public sealed record Price(string Sku, decimal Amount, string Currency);

public sealed record Stock(string Sku, int Available);

public sealed record Recommendation(string Sku, double Score);

public sealed record ProductPage(ProductDetails Details, Price Price, Stock Stock, IReadOnlyList<Recommendation> Recommendations);

/// <summary>Backend-for-frontend: one product page is assembled from several downstream services.</summary>
public sealed class ProductPageAggregator
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan PageBudget = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RecommendationBudget = TimeSpan.FromMilliseconds(250);

    private readonly HttpClient _http;

    public ProductPageAggregator(HttpClient http) => _http = http;

    public async Task<ProductPage> GetPageAsync(string sku, CancellationToken cancellationToken)
    {
        using var group = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        group.CancelAfter(PageBudget);

        var details = GetInGroupAsync<ProductDetails>($"catalog/products/{sku}", group);
        var price = GetInGroupAsync<Price>($"pricing/prices/{sku}", group);
        var stock = GetInGroupAsync<Stock>($"inventory/stock/{sku}", group);
        var recommendations = GetRecommendationsOrEmptyAsync(sku, group.Token);

        await Task.WhenAll(details, price, stock, recommendations).ConfigureAwait(false);

        return new ProductPage(
            await details.ConfigureAwait(false),
            await price.ConfigureAwait(false),
            await stock.ConfigureAwait(false),
            await recommendations.ConfigureAwait(false));
    }

    public async Task<IReadOnlyDictionary<string, Price>> GetPricesAsync(IEnumerable<string> skus, CancellationToken cancellationToken)
    {
        var prices = new ConcurrentDictionary<string, Price>(StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };

        await Parallel.ForEachAsync(skus, options, async (sku, ct) =>
        {
            using var response = await _http.GetAsync($"pricing/prices/{sku}", ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            var json = await response.Content.ReadAsStringAsync().ConfigureAwait(false); // expect: CONC012
            var price = JsonSerializer.Deserialize<Price>(json, JsonOptions);
            if (price is not null)
            {
                prices[sku] = price;
            }
        }).ConfigureAwait(false);

        return prices;
    }

    // Errgroup-style: the first call that fails cancels its siblings through the shared source.
    private async Task<T> GetInGroupAsync<T>(string path, CancellationTokenSource group)
        where T : class
    {
        try
        {
            return await GetJsonAsync<T>(path, group.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            group.Cancel();
            throw;
        }
    }

    private async Task<IReadOnlyList<Recommendation>> GetRecommendationsOrEmptyAsync(string sku, CancellationToken cancellationToken)
    {
        var fetch = GetJsonAsync<Recommendation[]>($"recommendations/{sku}", cancellationToken);
        if (await Task.WhenAny(fetch, Task.Delay(RecommendationBudget, cancellationToken)).ConfigureAwait(false) != fetch) // expect: CONC014
        {
            return Array.Empty<Recommendation>();
        }

        try
        {
            return await fetch.ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return Array.Empty<Recommendation>();
        }
    }

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var value = await JsonSerializer.DeserializeAsync<T>(body, JsonOptions, cancellationToken).ConfigureAwait(false);
        return value ?? throw new InvalidOperationException($"Empty response body from {path}.");
    }
}
