using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Orders;

public sealed record Order(string OrderId, string CustomerId, string Sku, int Quantity, decimal UnitPrice);

public sealed record EnrichedOrder(Order Order, string CustomerTier, string Warehouse, decimal Total);

public sealed record ImportSummary(int Rejected, int Saved);

public interface ICustomerDirectory
{
    ValueTask<string> GetTierAsync(string customerId, CancellationToken cancellationToken);
}

public interface IInventory
{
    ValueTask<string> PickWarehouseAsync(string sku, int quantity, CancellationToken cancellationToken);
}

public interface IOrderRepository
{
    Task SaveBatchAsync(IReadOnlyList<EnrichedOrder> batch, CancellationToken cancellationToken);
}

internal static class OrderCsv
{
    public static bool TryParse(string line, [NotNullWhen(true)] out Order? order)
    {
        order = null;
        var parts = line.Split(',');
        if (parts.Length != 5)
        {
            return false;
        }

        if (!int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var quantity) || quantity <= 0)
        {
            return false;
        }

        if (!decimal.TryParse(parts[4], NumberStyles.Number, CultureInfo.InvariantCulture, out var price))
        {
            return false;
        }

        order = new Order(parts[0].Trim(), parts[1].Trim(), parts[2].Trim(), quantity, price);
        return true;
    }
}

internal static class Pricing
{
    public static decimal Total(Order order, string tier)
    {
        var gross = order.UnitPrice * order.Quantity;
        var discount = tier switch
        {
            "gold" => 0.10m,
            "silver" => 0.05m,
            _ => 0m,
        };
        return decimal.Round(gross * (1 - discount), 2, MidpointRounding.ToEven);
    }
}

public sealed class ParseStage
{
    private int _rejected;

    public int Rejected => Volatile.Read(ref _rejected);

    public async Task RunAsync(ChannelReader<string> input, ChannelWriter<Order> output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in input.ReadAllAsync(cancellationToken))
            {
                if (OrderCsv.TryParse(line, out var order))
                {
                    await output.WriteAsync(order, cancellationToken);
                }
                else
                {
                    Interlocked.Increment(ref _rejected);
                }
            }

            output.Complete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
            throw;
        }
    }
}

public sealed class EnrichStage
{
    private readonly ICustomerDirectory _customers;
    private readonly IInventory _inventory;
    private readonly int _degreeOfParallelism;

    public EnrichStage(ICustomerDirectory customers, IInventory inventory, int degreeOfParallelism)
    {
        _customers = customers;
        _inventory = inventory;
        _degreeOfParallelism = degreeOfParallelism;
    }

    public async Task RunAsync(ChannelReader<Order> input, ChannelWriter<EnrichedOrder> output, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = _degreeOfParallelism,
            CancellationToken = cancellationToken,
        };

        try
        {
            await Parallel.ForEachAsync(input.ReadAllAsync(cancellationToken), options, async (order, token) =>
            {
                var tier = await _customers.GetTierAsync(order.CustomerId, token);
                var warehouse = await _inventory.PickWarehouseAsync(order.Sku, order.Quantity, token);
                var enriched = new EnrichedOrder(order, tier, warehouse, Pricing.Total(order, tier));
                await output.WriteAsync(enriched, token);
            });

            output.Complete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
            throw;
        }
    }
}

public sealed class PersistStage
{
    private readonly IOrderRepository _repository;
    private readonly int _batchSize;
    private int _saved;

    public PersistStage(IOrderRepository repository, int batchSize)
    {
        _repository = repository;
        _batchSize = batchSize;
    }

    public int Saved => Volatile.Read(ref _saved);

    public async Task RunAsync(ChannelReader<EnrichedOrder> input, CancellationToken cancellationToken)
    {
        var batch = new List<EnrichedOrder>(_batchSize);
        await foreach (var order in input.ReadAllAsync()) // expect: CONC012
        {
            batch.Add(order);
            if (batch.Count >= _batchSize)
            {
                await SaveAsync(batch, cancellationToken);
            }
        }

        if (batch.Count > 0)
        {
            await SaveAsync(batch, cancellationToken);
        }
    }

    private async Task SaveAsync(List<EnrichedOrder> batch, CancellationToken cancellationToken)
    {
        await _repository.SaveBatchAsync(batch.ToArray(), cancellationToken);
        Interlocked.Add(ref _saved, batch.Count);
        batch.Clear();
    }
}

public sealed class OrderImportPipeline
{
    private readonly ParseStage _parse;
    private readonly EnrichStage _enrich;
    private readonly PersistStage _persist;

    public OrderImportPipeline(ParseStage parse, EnrichStage enrich, PersistStage persist)
    {
        _parse = parse;
        _enrich = enrich;
        _persist = persist;
    }

    public async Task<ImportSummary> RunAsync(IAsyncEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var raw = Channel.CreateBounded<string>(2_000);
        var parsed = Channel.CreateBounded<Order>(new BoundedChannelOptions(500) { SingleWriter = true });
        var enriched = Channel.CreateBounded<EnrichedOrder>(new BoundedChannelOptions(500) { SingleReader = true });

        var stages = new[]
        {
            _parse.RunAsync(raw.Reader, parsed.Writer, cancellationToken),
            _enrich.RunAsync(parsed.Reader, enriched.Writer, cancellationToken),
            _persist.RunAsync(enriched.Reader, cancellationToken),
        };

        try
        {
            await foreach (var line in lines.WithCancellation(cancellationToken))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    await raw.Writer.WriteAsync(line, cancellationToken);
                }
            }

            raw.Writer.Complete();
        }
        catch (Exception ex)
        {
            raw.Writer.TryComplete(ex);
        }

        await Task.WhenAll(stages);
        return new ImportSummary(_parse.Rejected, _persist.Saved);
    }
}
