using System;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>The background loop that takes orders off the queue and prices them.</summary>
    public sealed class OrderWorker
    {
        private readonly OrderQueue _orders;
        private readonly PriceCache _prices;
        private volatile bool _started;
        private int _processed;

        public OrderWorker(OrderQueue orders, PriceCache prices)
        {
            _orders = orders;
            _prices = prices;
        }

        public int Processed => Volatile.Read(ref _processed);

        public async Task RunAsync(CancellationToken stoppingToken)
        {
            _started = true;
            try
            {
                // A periodic loop: it does work between its pauses and stops with the token. Not a poll.
                while (!stoppingToken.IsCancellationRequested)
                {
                    while (_orders.TryDequeue(out var order))
                    {
                        var price = await _prices.GetPriceAsync(order!.Product, stoppingToken);
                        Console.WriteLine($"order {order.Id}: {order.Quantity} x {order.Product} = {order.Quantity * price}");
                        Interlocked.Increment(ref _processed);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }

        /// <summary>Blocks the caller until the loop above has started.</summary>
        public void WaitUntilStarted()
        {
            while (!_started)
            {
                Thread.Sleep(10);
            }
        }
    }
}
