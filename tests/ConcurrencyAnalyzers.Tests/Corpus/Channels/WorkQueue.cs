using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Corpus.Channels.WorkQueues
{
    public sealed record PrintJob(Guid Id, string Printer, byte[] Document, int Copies);

    public interface IPrinterDriver
    {
        /// <summary>Blocks until the spooler has accepted the job.</summary>
        void Submit(PrintJob job);
    }

    /// <summary>
    /// Print spooler front end. Jobs are accepted until <see cref="Stop"/> is called; after
    /// that <see cref="TryEnqueue"/> returns false and the caller keeps the job.
    /// </summary>
    public sealed class PrintWorkQueue : IDisposable
    {
        private readonly BlockingCollection<PrintJob> _queue;
        private readonly IPrinterDriver _driver;
        private readonly List<Thread> _workers = new();
        private readonly object _gate = new();
        private bool _completed;
        private int _submitted;
        private int _failed;

        public PrintWorkQueue(IPrinterDriver driver, int capacity = 64)
        {
            _driver = driver;
            _queue = new BlockingCollection<PrintJob>(new ConcurrentQueue<PrintJob>(), capacity);
        }

        public int Submitted => Volatile.Read(ref _submitted);
        public int Failed => Volatile.Read(ref _failed);
        public int Pending => _queue.Count;

        public void Start(int workerCount)
        {
            lock (_gate)
            {
                if (_completed)
                {
                    throw new ObjectDisposedException(nameof(PrintWorkQueue));
                }

                for (int i = 0; i < workerCount; i++)
                {
                    var workerIndex = i;
                    var thread = new Thread(() => WorkerLoop(workerIndex))
                    {
                        IsBackground = true,
                        Name = $"print-worker-{workerIndex}",
                    };
                    _workers.Add(thread);
                    thread.Start();
                }
            }
        }

        public bool TryEnqueue(PrintJob job)
        {
            // CompleteAdding happens under the same lock, so a job is either queued before
            // shutdown or rejected here; it can never hit a completed collection.
            lock (_gate)
            {
                if (_completed)
                {
                    return false;
                }

                return _queue.TryAdd(job);
            }
        }

        private void WorkerLoop(int workerIndex)
        {
            foreach (var job in _queue.GetConsumingEnumerable())
            {
                try
                {
                    _driver.Submit(job);
                    Interlocked.Increment(ref _submitted);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref _failed);
                    Console.Error.WriteLine($"[print-worker-{workerIndex}] job {job.Id} on {job.Printer} failed: {ex.Message}");
                }
            }
        }

        public void Stop()
        {
            Thread[] workers;
            lock (_gate)
            {
                if (_completed)
                {
                    return;
                }

                _completed = true;
                _queue.CompleteAdding();
                workers = _workers.ToArray();
            }

            // Workers drain whatever was accepted before exiting.
            foreach (var worker in workers)
            {
                worker.Join();
            }
        }

        public void Dispose()
        {
            Stop();
            _queue.Dispose();
        }
    }
}
