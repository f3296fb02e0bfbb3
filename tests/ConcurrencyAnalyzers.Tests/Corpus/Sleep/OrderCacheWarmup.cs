using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Orders;

public sealed record OrderSummary(int Id, string Customer, decimal Total);

public interface IOrderStore
{
    Task<IReadOnlyList<OrderSummary>> LoadRecentAsync(int count, CancellationToken token);
}

/// <summary>
/// Keeps the most recent orders in memory so the dashboard does not hit the database on every request.
/// </summary>
public sealed class OrderCacheWarmup
{
    private readonly IOrderStore _store;
    private readonly ConcurrentDictionary<int, OrderSummary> _entries = new();
    private DateTime _warmedAtUtc;
    private Task? _warmTask;

    public OrderCacheWarmup(IOrderStore store)
    {
        _store = store;
    }

    public int Count => _entries.Count;

    public DateTime WarmedAtUtc => _warmedAtUtc;

    // Called from the admin page: "warm the cache and tell me how many orders we have".
    public async Task<int> StartAndReportAsync()
    {
        _ = WarmAsync(CancellationToken.None);

        // Warmup usually takes ~1s in production, give it a bit of slack.
        await Task.Delay(1500); // expect: CONC021

        Console.WriteLine($"Order cache warmed at {_warmedAtUtc:O} with {_entries.Count} entries");
        return _entries.Count;
    }

    // Same feature, done properly: keep the task, bound the wait, await it.
    public async Task<bool> StartAndWaitAsync(TimeSpan timeout, CancellationToken token)
    {
        var warm = WarmAsync(token);
        _warmTask = warm;

        var finished = await Task.WhenAny(warm, Task.Delay(timeout, token)).ConfigureAwait(false);
        if (finished != warm)
        {
            Console.WriteLine("Order cache warmup is taking longer than expected; serving cold.");
            return false;
        }

        await warm.ConfigureAwait(false);
        return _entries.Count > 0;
    }

    // Let readers that grabbed a snapshot finish before we clear.
    public Task RefreshAsync()
    {
        Thread.Sleep(250); // expect: CONC020
        _entries.Clear();
        return WarmAsync(CancellationToken.None);
    }

    public async Task WaitForWarmupAsync()
    {
        var pending = _warmTask;
        if (pending is not null)
        {
            await pending.ConfigureAwait(false);
        }
    }

    public OrderSummary? TryGet(int id) => _entries.TryGetValue(id, out var order) ? order : null;

    public decimal TotalFor(string customer) =>
        _entries.Values.Where(o => o.Customer == customer).Sum(o => o.Total);

    private async Task WarmAsync(CancellationToken token)
    {
        var orders = await _store.LoadRecentAsync(500, token).ConfigureAwait(false);
        foreach (var order in orders)
        {
            _entries[order.Id] = order;
        }

        _warmedAtUtc = DateTime.UtcNow;
    }
}
