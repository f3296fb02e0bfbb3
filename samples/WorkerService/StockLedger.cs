using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>Stock levels and their audit trail, updated by the order worker and read by reports.</summary>
    public sealed class StockLedger
    {
        private readonly object _stockGate = new object();
        private readonly object _auditGate = new object();
        private object _reportGate = new object();
        private readonly SemaphoreSlim _exportGate = new SemaphoreSlim(1, 1);
        private readonly Dictionary<string, int> _stock = new Dictionary<string, int>();
        private readonly List<string> _audit = new List<string>();
        private int _reservations;

        public void Reserve(Order order)
        {
            lock (_stockGate)
            {
                _stock[order.Product] = _stock.GetValueOrDefault(order.Product) - order.Quantity;
                lock (_auditGate)
                {
                    _audit.Add("reserved " + order.Quantity + " " + order.Product);
                }
            }
        }

        public string[] DrainAudit()
        {
            lock (_auditGate)
            {
                lock (_stockGate)
                {
                    var lines = _audit.ToArray();
                    _audit.Clear();
                    return lines;
                }
            }
        }

        public int Report()
        {
            lock (_reportGate)
            {
                lock (this)
                {
                    return _stock.Count;
                }
            }
        }

        public async Task ExportAsync(Stream target)
        {
            await _exportGate.WaitAsync();
            var lines = DrainAudit();
            foreach (var line in lines)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
                await target.WriteAsync(bytes, 0, bytes.Length);
            }

            _exportGate.Release();
        }

        public void CountReservation()
        {
            Monitor.Enter(_reservations);
            try
            {
                _reservations++;
                Console.WriteLine("reservation " + _reservations);
            }
            finally
            {
                Monitor.Exit(_reservations);
            }
        }
    }
}
