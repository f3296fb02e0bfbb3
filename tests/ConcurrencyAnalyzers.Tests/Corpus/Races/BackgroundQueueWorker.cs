using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Corpus.Races.Workers
{
    public sealed record WorkItem(Guid Id, string Payload, int Attempt);

    public interface IWorkHandler
    {
        void Handle(WorkItem item);
    }

    /// <summary>
    /// Fixed pool of dedicated threads draining a bounded queue. Used by the e-mail
    /// dispatcher where handlers block on SMTP I/O.
    /// </summary>
    public sealed class QueueWorkerPool : IDisposable
    {
        private readonly BlockingCollection<WorkItem> _queue = new(boundedCapacity: 1000);
        private readonly IWorkHandler _handler;
        private readonly List<Thread> _threads = new();
        private volatile bool _stopping;
        private volatile int _processed;
        private volatile int _inFlight;
        private int _failed;

        public QueueWorkerPool(IWorkHandler handler)
        {
            _handler = handler;
        }

        public int Processed => _processed;
        public int InFlight => _inFlight;
        public int Failed => Volatile.Read(ref _failed);
        public bool IsStopping => _stopping;

        public void Start(int threadCount)
        {
            for (int i = 0; i < threadCount; i++)
            {
                var thread = new Thread(() => RunLoop(i));      // expect: CONC004
                thread.IsBackground = true;
                thread.Name = $"queue-worker-{i}";
                _threads.Add(thread);
                thread.Start();
            }
        }

        public bool TryEnqueue(WorkItem item)
        {
            return !_stopping && _queue.TryAdd(item);
        }

        private void RunLoop(int workerIndex)
        {
            foreach (var item in _queue.GetConsumingEnumerable())
            {
                if (_stopping) break;

                _inFlight++;                                    // expect: CONC005
                try
                {
                    _handler.Handle(item);
                    _processed++;                               // expect: CONC005
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref _failed);
                    Console.Error.WriteLine($"[worker {workerIndex}] {item.Id} failed: {ex.Message}");
                }
                finally
                {
                    _inFlight--;                                // expect: CONC005
                }
            }
        }

        public void Stop()
        {
            _stopping = true;
            _queue.CompleteAdding();
            foreach (var thread in _threads)
            {
                thread.Join();
            }
        }

        public void Dispose()
        {
            Stop();
            _queue.Dispose();
        }
    }

    public sealed class RetryScheduler
    {
        private readonly QueueWorkerPool _pool;
        private int _scheduled;

        public RetryScheduler(QueueWorkerPool pool)
        {
            _pool = pool;
        }

        public int Scheduled => Volatile.Read(ref _scheduled);

        public void ScheduleRetries(IReadOnlyList<WorkItem> failed, TimeSpan baseDelay)
        {
            for (int i = 0; i < failed.Count; i++)
            {
                var item = failed[i];
                var delay = TimeSpan.FromMilliseconds(baseDelay.TotalMilliseconds * (i + 1));
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    Thread.Sleep(delay);
                    if (_pool.TryEnqueue(item with { Attempt = item.Attempt + 1 }))
                    {
                        Interlocked.Increment(ref _scheduled);
                    }
                });
            }
        }
    }
}
