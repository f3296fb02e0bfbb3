using System;
using System.Linq;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>
    /// Labels, tracking and manifests for shipped orders, passed between stages through channels.
    /// </summary>
    public sealed class ShipmentPipeline : IDisposable
    {
        private readonly Channel<Order> _labels = Channel.CreateUnbounded<Order>();
        private readonly Channel<string> _manifest = Channel.CreateBounded<string>(100);

        // A label requested after Stop is dropped without a trace.
        public void Publish(Order order) => _labels.Writer.TryWrite(order);

        public void Stop() => _labels.Writer.Complete();

        // Stop and then Dispose: the second Complete throws.
        public void Dispose() => _labels.Writer.Complete();

        // Merges the carriers' tracking feeds; every feed completes the shared writer when it ends.
        public async Task<int> MergeTrackingAsync(string[][] feeds)
        {
            var merged = Channel.CreateUnbounded<string>();
            var producers = feeds.Select(feed => Task.Run(async () =>
            {
                foreach (var trackingEvent in feed)
                {
                    await merged.Writer.WriteAsync(trackingEvent);
                }

                merged.Writer.Complete();
            })).ToArray();

            var count = 0;
            await foreach (var trackingEvent in merged.Reader.ReadAllAsync())
            {
                count++;
            }

            await Task.WhenAll(producers);
            return count;
        }

        // The printer reads the manifest to the end, but nothing ever completes it.
        public async Task PrintManifestAsync(Order[] orders)
        {
            var printer = Task.Run(async () =>
            {
                await foreach (var line in _manifest.Reader.ReadAllAsync())
                {
                    Console.WriteLine(line);
                }
            });

            var builder = Task.Run(async () =>
            {
                foreach (var order in orders)
                {
                    await _manifest.Writer.WriteAsync($"{order.Id}: {order.Quantity} x {order.Product}");
                }
            });

            await builder;
            await printer;
        }

        // Exports label lines for the carrier; the count line comes after the writer is completed.
        public static async Task ExportLabelsAsync(ChannelWriter<string> output, Order[] orders)
        {
            foreach (var order in orders)
            {
                await output.WriteAsync($"LABEL {order.Id} {order.Product}");
            }

            output.TryComplete();
            await output.WriteAsync($"COUNT {orders.Length}");
        }
    }
}
