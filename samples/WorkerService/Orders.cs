using System.Collections.Concurrent;

namespace WorkerService
{
    public sealed record Order(int Id, string Product, int Quantity);

    /// <summary>Orders waiting to be processed; filled by the API, drained by the worker.</summary>
    public sealed class OrderQueue
    {
        private readonly ConcurrentQueue<Order> _orders = new ConcurrentQueue<Order>();

        public void Enqueue(Order order) => _orders.Enqueue(order);

        public bool TryDequeue(out Order? order) => _orders.TryDequeue(out order);
    }
}
