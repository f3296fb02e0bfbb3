using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>Order statistics for the dashboard, computed in parallel over a day's orders.</summary>
    public sealed class OrderMetrics
    {
        private readonly object _flushGate = new object();
        private readonly List<string> _rejected = new List<string>();
        private volatile int _activeWorkers;
        private long _totalQuantity;
        private int _ordersSeen;
        private DateTime _lastFlush;

        public void Summarize(IReadOnlyList<Order> orders)
        {
            Parallel.ForEach(orders, order =>
            {
                _activeWorkers++;
                _ordersSeen++;
                Interlocked.Add(ref _totalQuantity, order.Quantity);
                if (order.Quantity <= 0)
                {
                    _rejected.Add(order.Product);
                }

                Interlocked.Decrement(ref _activeWorkers);
            });
        }

        /// <summary>Recomputes each region's figures on its own task.</summary>
        public Task RecomputeRegionsAsync(string[] regions)
        {
            var work = new List<Task>();
            for (var r = 0; r < regions.Length; r++)
            {
                work.Add(Task.Run(() => Recompute(regions[r])));
            }

            return Task.WhenAll(work);
        }

        public void Flush()
        {
            lock (_flushGate)
            {
                Console.WriteLine($"orders {_ordersSeen}, quantity {Interlocked.Read(ref _totalQuantity)}, rejected {_rejected.Count}");
                _lastFlush = DateTime.UtcNow;
            }
        }

        public void Reset()
        {
            _lastFlush = DateTime.MinValue;
        }

        public DateTime LastFlush => _lastFlush;

        private static void Recompute(string region) => Console.WriteLine("recomputing " + region);
    }
}
