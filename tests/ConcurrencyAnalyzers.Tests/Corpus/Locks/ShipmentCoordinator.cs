using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.ShipmentCoordinator;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public interface ICarrierGateway
{
    Task<string> BookPickupAsync(IReadOnlyList<Parcel> parcels, CancellationToken cancellationToken);
}

public sealed record Parcel(Guid Id, string OrderId, string Sku, int Quantity);

// Lock order used throughout this file: catalog -> warehouse bins -> carrier manifest.
public sealed class Catalog
{
    private readonly object _catalogLock = new();
    private readonly HashSet<string> _discontinued = new(StringComparer.OrdinalIgnoreCase);
    private readonly Warehouse _warehouse;

    public Catalog(Warehouse warehouse)
    {
        _warehouse = warehouse;
    }

    public bool IsSellable(string sku)
    {
        lock (_catalogLock)
        {
            return !_discontinued.Contains(sku);
        }
    }

    public void Discontinue(string sku)
    {
        lock (_catalogLock)
        {
            if (!_discontinued.Add(sku))
            {
                return;
            }

            NotifyWarehouse(sku);
        }
    }

    private void NotifyWarehouse(string sku) => _warehouse.FreezeBins(sku);
}

public sealed class Warehouse
{
    private readonly object _binLock = new();
    private readonly Dictionary<string, int> _bins = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _frozen = new(StringComparer.OrdinalIgnoreCase);
    private readonly CarrierManifest _manifest;

    public Warehouse(CarrierManifest manifest)
    {
        _manifest = manifest;
    }

    public void Receive(string sku, int quantity)
    {
        lock (_binLock)
        {
            _bins[sku] = _bins.GetValueOrDefault(sku) + quantity;
        }
    }

    public Parcel Pick(string orderId, string sku, int quantity)
    {
        lock (_binLock)
        {
            if (_frozen.Contains(sku))
            {
                throw new InvalidOperationException($"Bins for {sku} are frozen.");
            }

            var onHand = _bins.GetValueOrDefault(sku);
            if (onHand < quantity)
            {
                throw new InvalidOperationException($"Only {onHand} of {sku} in the bins.");
            }

            _bins[sku] = onHand - quantity;
            var parcel = new Parcel(Guid.NewGuid(), orderId, sku, quantity);
            _manifest.AddParcel(parcel);
            return parcel;
        }
    }

    internal void FreezeBins(string sku)
    {
        lock (_binLock)
        {
            _frozen.Add(sku);
            HoldOutbound(sku);
        }
    }

    public void ReturnToBins(IEnumerable<Parcel> parcels)
    {
        lock (_binLock)
        {
            foreach (var parcel in parcels)
            {
                _bins[parcel.Sku] = _bins.GetValueOrDefault(parcel.Sku) + parcel.Quantity;
            }
        }
    }

    private void HoldOutbound(string sku) => _manifest.HoldSku(sku);
}

public sealed class CarrierManifest
{
    private readonly object _manifestLock = new();
    private readonly List<Parcel> _open = new();
    private readonly HashSet<string> _heldSkus = new(StringComparer.OrdinalIgnoreCase);

    public void AddParcel(Parcel parcel)
    {
        lock (_manifestLock)
        {
            _open.Add(parcel);
        }
    }

    public void HoldSku(string sku)
    {
        lock (_manifestLock)
        {
            _heldSkus.Add(sku);
        }
    }

    public (List<Parcel> Ready, List<Parcel> Held) Close()
    {
        lock (_manifestLock)
        {
            var ready = _open.Where(p => !_heldSkus.Contains(p.Sku)).ToList();
            var held = _open.Where(p => _heldSkus.Contains(p.Sku)).ToList();
            _open.Clear();
            return (ready, held);
        }
    }
}

public sealed class ShipmentCoordinator : IDisposable
{
    private readonly SemaphoreSlim _dispatchGate = new(1, 1);
    private readonly Catalog _catalog;
    private readonly Warehouse _warehouse;
    private readonly CarrierManifest _manifest;
    private readonly ICarrierGateway _carrier;
    private readonly ILogger _logger;

    public ShipmentCoordinator(Catalog catalog, Warehouse warehouse, CarrierManifest manifest, ICarrierGateway carrier, ILogger logger)
    {
        _catalog = catalog;
        _warehouse = warehouse;
        _manifest = manifest;
        _carrier = carrier;
        _logger = logger;
    }

    public Parcel Fulfil(string orderId, string sku, int quantity)
    {
        if (!_catalog.IsSellable(sku))
        {
            throw new InvalidOperationException($"{sku} is discontinued.");
        }

        return _warehouse.Pick(orderId, sku, quantity);
    }

    public async Task<string?> DispatchAsync(CancellationToken cancellationToken)
    {
        await _dispatchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (ready, held) = _manifest.Close();

            // Held parcels go back to the bins after the manifest lock has been released.
            if (held.Count > 0)
            {
                _warehouse.ReturnToBins(held);
                _logger.Warn($"{held.Count} parcels returned to bins because their SKU is on hold.");
            }

            if (ready.Count == 0)
            {
                return null;
            }

            var pickupId = await _carrier.BookPickupAsync(ready, cancellationToken).ConfigureAwait(false);
            _logger.Info($"Booked pickup {pickupId} for {ready.Count} parcels.");
            return pickupId;
        }
        finally
        {
            _dispatchGate.Release();
        }
    }

    public void Dispose() => _dispatchGate.Dispose();
}
