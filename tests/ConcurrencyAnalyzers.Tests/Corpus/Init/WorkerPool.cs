using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace Corpus.Init.WorkerPool;

public sealed class WorkItem
{
    public WorkItem(string name, Action<byte[]> body)
    {
        Name = name;
        Body = body;
    }

    public string Name { get; }

    public Action<byte[]> Body { get; }
}

public sealed class WorkerPool : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly object _gate = new();
    private readonly BlockingCollection<WorkItem> _queue = new(new ConcurrentQueue<WorkItem>());
    private readonly ConcurrentStack<byte[]> _buffers = new();
    private readonly ConcurrentDictionary<string, long> _completed = new(StringComparer.Ordinal);
    private readonly List<Thread> _threads = new();
    private readonly int _capacity;
    private readonly int _maxPooledBuffers;
    private readonly string _priorityFile;
    private Dictionary<string, int> _priorities;
    private long _failed;

    public WorkerPool(int workers, int capacity, string priorityFile)
    {
        _capacity = capacity;
        _maxPooledBuffers = workers * 2;
        _priorityFile = priorityFile;
        for (var i = 0; i < workers; i++)
        {
            var thread = new Thread(() => Work()) { IsBackground = true, Name = "worker-" + i };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public long Failed => Interlocked.Read(ref _failed);

    public bool TrySchedule(WorkItem item)
    {
        if (_queue.Count < _capacity) // expect: CONC052
        {
            _queue.Add(item);
            return true;
        }

        return false;
    }

    public long CompletedCount(string name) => _completed.TryGetValue(name, out var count) ? count : 0;

    public int PriorityOf(string name)
    {
        lock (_gate)
        {
            if (_priorities == null)
            {
                _priorities = LoadPriorities(_priorityFile);
            }

            return _priorities.TryGetValue(name, out var priority) ? priority : 0;
        }
    }

    private void Work()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            var buffer = RentBuffer();
            try
            {
                item.Body(buffer);
                _completed.AddOrUpdate(item.Name, 1, (_, n) => n + 1);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _failed);
            }
            finally
            {
                ReturnBuffer(buffer);
            }
        }
    }

    private byte[] RentBuffer()
    {
        if (_buffers.Count > 0) // expect: CONC052
        {
            _buffers.TryPop(out var pooled);
            return pooled;
        }

        return new byte[BufferSize];
    }

    private void ReturnBuffer(byte[] buffer)
    {
        Array.Clear(buffer);
        lock (_gate)
        {
            // Every push happens here, so the bound holds.
            if (_buffers.Count < _maxPooledBuffers)
            {
                _buffers.Push(buffer);
            }
        }
    }

    private static Dictionary<string, int> LoadPriorities(string path)
    {
        var priorities = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return priorities;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && int.TryParse(parts[1], out var priority))
            {
                priorities[parts[0]] = priority;
            }
        }

        return priorities;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _queue.Dispose();
    }
}
