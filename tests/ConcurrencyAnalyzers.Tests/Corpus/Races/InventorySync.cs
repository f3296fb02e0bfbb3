using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Inventory
{
    public sealed record StockDelta(string Sku, int Quantity, string Warehouse);

    /// <summary>
    /// In-memory stock ledger fed by the warehouse event stream and reconciled nightly
    /// against the ERP export.
    /// </summary>
    public sealed class InventoryLedger
    {
        private readonly object _lock = new();
        private readonly Dictionary<string, int> _onHand = new(StringComparer.Ordinal);
        private long _version;
        private int _totalUnits;
        private int _lookups;
        private DateTime _lastSyncUtc;
        private string _lastWarehouse = string.Empty;

        public InventoryLedger(IEnumerable<KeyValuePair<string, int>> initial)
        {
            foreach (var pair in initial)
            {
                _onHand[pair.Key] = pair.Value;
            }
            _version = 1;
            _totalUnits = _onHand.Values.Sum();
            _lastSyncUtc = DateTime.UtcNow;
        }

        public long Version => Interlocked.Read(ref _version);

        public DateTime LastSyncUtc => _lastSyncUtc;

        public int TotalUnits
        {
            get { lock (_lock) { return _totalUnits; } }
        }

        public string LastWarehouse
        {
            get { lock (_lock) { return _lastWarehouse; } }
        }

        public void Apply(StockDelta delta)
        {
            lock (_lock)
            {
                _onHand[delta.Sku] = _onHand.GetValueOrDefault(delta.Sku) + delta.Quantity;
                _version++;
                _lastWarehouse = delta.Warehouse;
                RecalculateTotals();
            }
        }

        public void ApplyBatch(IReadOnlyList<StockDelta> deltas)
        {
            lock (_lock)
            {
                foreach (var delta in deltas)
                {
                    _onHand[delta.Sku] = _onHand.GetValueOrDefault(delta.Sku) + delta.Quantity;
                    _lastWarehouse = delta.Warehouse;
                }
                _version++;
                _lastSyncUtc = DateTime.UtcNow;
                RecalculateTotals();
            }
        }

        // Only ever invoked while _lock is held.
        private void RecalculateTotals()
        {
            int sum = 0;
            foreach (var qty in _onHand.Values)
            {
                sum += qty;
            }
            _totalUnits = sum;
        }

        public int Lookup(string sku)
        {
            lock (_lock)
            {
                _lookups++;
                return _onHand.GetValueOrDefault(sku);
            }
        }

        // Called by the ERP reconciliation job once the export was compared.
        public void MarkSynced(DateTime whenUtc)
        {
            _lastSyncUtc = whenUtc;                         // expect: CONC003
        }

        // Forces downstream caches to refetch.
        public void ForceVersionBump()
        {
            _version++;                                     // expect: CONC003
        }

        public int WarmUp(IReadOnlyList<string> skus, Func<string, bool> prefetch)
        {
            Parallel.ForEach(skus, sku =>
            {
                if (prefetch(sku))
                {
                    _lookups++;                             // expect: CONC001 CONC003
                }
            });

            lock (_lock)
            {
                return _lookups;
            }
        }

        public IReadOnlyDictionary<string, int> Snapshot()
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_onHand, StringComparer.Ordinal);
            }
        }
    }
}
