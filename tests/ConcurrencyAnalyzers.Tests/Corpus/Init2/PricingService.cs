using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.PricingService;

public interface IPriceSource
{
    decimal BasePrice(string sku);

    IReadOnlyDictionary<string, decimal> LoadRegionSurcharges(string region);
}

public sealed record CartLine(string Sku, int Quantity);

internal static class TaxTable
{
    private static readonly IReadOnlyDictionary<string, decimal> s_rates = new Dictionary<string, decimal>
    {
        ["DE"] = 0.19m, ["FR"] = 0.20m, ["NL"] = 0.21m, ["US"] = 0m,
    };

    public static decimal Lookup(string region) => s_rates.TryGetValue(region, out var rate) ? rate : 0m;
}

/// <summary>
/// Memoizes price computations for the catalog. One instance per process, hit by the storefront
/// request threads and by the nightly repricing job at the same time.
/// </summary>
public sealed class MemoizingPriceCalculator
{
    private readonly IPriceSource _source;
    private readonly ConcurrentDictionary<string, decimal> _basePrices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, decimal> _taxRates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Task<IReadOnlyDictionary<string, decimal>>> _surcharges =
        new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, decimal> _manualOverrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, decimal> _couponDiscounts = new(StringComparer.OrdinalIgnoreCase);
    private long _cacheMisses;

    public MemoizingPriceCalculator(IPriceSource source) => _source = source;

    public long CacheMisses => Interlocked.Read(ref _cacheMisses);

    public void SetOverride(string sku, decimal price) => _manualOverrides[sku] = price;

    public void ClearOverride(string sku) => _manualOverrides.TryRemove(sku, out _);

    public bool AddCoupon(string code, decimal discount) => _couponDiscounts.TryAdd(code, discount);

    public decimal BasePrice(string sku)
    {
        if (_manualOverrides.ContainsKey(sku)) // expect: CONC052
            return _manualOverrides[sku];

        return _basePrices.GetOrAdd(sku,
            s => // expect: CONC053
            {
                Interlocked.Increment(ref _cacheMisses);
                return _source.BasePrice(s);
            });
    }

    public decimal TaxRate(string region) =>
        _taxRates.GetOrAdd(region, static r => TaxTable.Lookup(r));

    public Task<IReadOnlyDictionary<string, decimal>> SurchargesAsync(string region) =>
        _surcharges.GetOrAdd(region,
            r => Task.Run(() => _source.LoadRegionSurcharges(r))); // expect: CONC053

    public decimal CouponDiscount(string? code) =>
        code != null && _couponDiscounts.TryGetValue(code, out var discount) ? discount : 0m;

    public async Task<decimal> QuoteAsync(IReadOnlyList<CartLine> lines, string region, string? coupon)
    {
        var surcharges = await SurchargesAsync(region).ConfigureAwait(false);
        var net = lines
            .AsParallel()
            .Sum(l => (BasePrice(l.Sku) + surcharges.GetValueOrDefault(l.Sku)) * l.Quantity);
        var discounted = net * (1 - CouponDiscount(coupon));
        return Math.Round(discounted * (1 + TaxRate(region)), 2, MidpointRounding.ToEven);
    }
}

public static class NightlyRepricingJob
{
    public static async Task RunAsync(MemoizingPriceCalculator calculator, IEnumerable<string> skus, IEnumerable<string> regions)
    {
        // Warm the regional tables first, then recompute every SKU on all cores.
        await Task.WhenAll(regions.Select(r => calculator.SurchargesAsync(r))).ConfigureAwait(false);
        Parallel.ForEach(skus, sku => calculator.BasePrice(sku));
        Console.WriteLine($"Repricing done, {calculator.CacheMisses} cache misses.");
    }
}
