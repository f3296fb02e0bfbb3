using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Orders
{
    public sealed record Order(Guid Id, string Region, decimal Total, int Priority);

    public sealed record Courier(string Name, string Region);

    public interface ICourierDirectory
    {
        Courier? FindAvailable(string region);
    }

    public sealed class DispatchStatistics
    {
        public int Dispatched;
        public int Unassigned;
        public decimal DispatchedValue;
    }

    /// <summary>Assigns couriers to incoming orders, one long-running lane per region.</summary>
    public sealed class OrderDispatcher
    {
        private readonly ICourierDirectory _couriers;
        private readonly Dictionary<Guid, Courier> _assignments = new();
        private readonly ConcurrentDictionary<string, int> _perRegion = new(StringComparer.OrdinalIgnoreCase);
        private readonly DispatchStatistics _stats = new();
        private readonly SemaphoreSlim _gate = new(1, 1);
        private int _inFlight;

        public OrderDispatcher(ICourierDirectory couriers)
        {
            _couriers = couriers;
        }

        public int InFlight => Volatile.Read(ref _inFlight);

        public IReadOnlyDictionary<string, int> PerRegion => _perRegion;

        public void DispatchByRegion(IEnumerable<Order> orders)
        {
            var byRegion = orders.GroupBy(o => o.Region).ToList();
            var lanes = new Task[byRegion.Count];
            for (int i = 0; i < byRegion.Count; i++)
            {
                var group = byRegion[i];
                lanes[i] = Task.Factory.StartNew(() =>
                {
                    foreach (var order in group.OrderByDescending(o => o.Priority))
                    {
                        var courier = _couriers.FindAvailable(order.Region);
                        if (courier is null)
                        {
                            _stats.Unassigned++;                                        // expect: CONC001
                            continue;
                        }

                        _assignments[order.Id] = courier;                               // expect: CONC002
                        _perRegion.AddOrUpdate(order.Region, 1, (_, n) => n + 1);
                        _stats.Dispatched += 1;                                         // expect: CONC001
                        _stats.DispatchedValue = _stats.DispatchedValue + order.Total;  // expect: CONC001
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            Task.WaitAll(lanes);
        }

        public async Task DispatchAsync(IEnumerable<Order> orders, CancellationToken ct)
        {
            var pending = new List<Task>();
            foreach (var order in orders)
            {
                pending.Add(Task.Run(() => DispatchOneAsync(order, ct), ct));
            }
            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        private async Task DispatchOneAsync(Order order, CancellationToken ct)
        {
            Interlocked.Increment(ref _inFlight);
            try
            {
                var courier = _couriers.FindAvailable(order.Region);
                await _gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    if (courier is null)
                    {
                        _stats.Unassigned++;
                        return;
                    }

                    _assignments[order.Id] = courier;
                    _stats.Dispatched++;
                    _stats.DispatchedValue += order.Total;
                }
                finally
                {
                    _gate.Release();
                }

                _perRegion.AddOrUpdate(order.Region, 1, (_, n) => n + 1);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public IReadOnlyDictionary<Guid, Courier> SnapshotAssignments()
        {
            _gate.Wait();
            try
            {
                return new Dictionary<Guid, Courier>(_assignments);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
