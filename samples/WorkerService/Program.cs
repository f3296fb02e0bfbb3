using System;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    public static class Program
    {
        public static async Task Main(string[] args)
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var orders = new OrderQueue();
            var prices = new PriceCache(new FakePriceFeed());
            var worker = new OrderWorker(orders, prices);

            var running = worker.RunAsync(shutdown.Token);
            worker.WaitUntilStarted();

            Console.WriteLine($"warm prices: {await prices.WarmUpAsync()}");
            orders.Enqueue(new Order(1, "apple", 3));
            orders.Enqueue(new Order(2, "pear", 1));

            await running;
            Console.WriteLine($"processed {worker.Processed} orders");

            // Fire the shutdown telemetry and give it "enough" time before the process exits.
            _ = Task.Run(() => Telemetry.Send("worker stopped"));
            Thread.Sleep(500);
        }
    }

    public static class Telemetry
    {
        public static void Send(string message) => Console.WriteLine("telemetry: " + message);
    }
}
