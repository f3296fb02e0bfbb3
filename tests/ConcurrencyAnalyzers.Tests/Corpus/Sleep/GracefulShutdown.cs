using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;

namespace Corpus.Sleep.Hosting;

public static class ShutdownDemoProgram
{
    public static void Main(string[] args)
    {
        var workerCount = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 4;
        var server = new RequestServer(workerCount);
        server.Start();

        for (var i = 0; i < 20; i++)
        {
            var requestId = i;
            server.TryEnqueue(() => Console.WriteLine($"handled request {requestId} on {Thread.CurrentThread.Name}"));
        }

        Console.WriteLine("Serving; press Enter to stop.");
        Console.ReadLine();

        server.Stop(TimeSpan.FromSeconds(10));

        var auditor = new Thread(() => AuditLog.Flush("shutdown")) { IsBackground = true };
        auditor.Start();

        // Give the audit flush a moment before the process exits.
        Thread.Sleep(2000); // expect: CONC021
    }
}

public static class AuditLog
{
    private static readonly ConcurrentQueue<string> Pending = new();

    public static void Write(string line) => Pending.Enqueue($"{DateTime.UtcNow:O} {line}");

    public static void Flush(string reason)
    {
        var path = Path.Combine(Path.GetTempPath(), "request-server-audit.log");
        using var writer = File.AppendText(path);
        while (Pending.TryDequeue(out var line))
        {
            writer.WriteLine(line);
        }

        writer.WriteLine($"{DateTime.UtcNow:O} flushed ({reason})");
    }
}

public sealed class RequestServer
{
    private readonly Thread[] _workers;
    private readonly BlockingCollection<Action> _queue = new(boundedCapacity: 1000);
    private int _activeRequests;
    private volatile bool _accepting = true;

    public RequestServer(int workerCount) => _workers = new Thread[workerCount];

    public void Start()
    {
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkLoop) { Name = $"request-worker-{i}", IsBackground = true };
            _workers[i].Start();
        }
    }

    public bool TryEnqueue(Action request)
    {
        if (!_accepting)
        {
            return false;
        }

        try
        {
            return _queue.TryAdd(request);
        }
        catch (InvalidOperationException)
        {
            return false; // CompleteAdding raced with us
        }
    }

    public void Stop(TimeSpan drainTimeout)
    {
        _accepting = false;
        _queue.CompleteAdding();
        AuditLog.Write("stop requested");

        var waitedMs = 0;
        while (_activeRequests > 0 && waitedMs < drainTimeout.TotalMilliseconds) // expect: CONC022
        {
            Thread.Sleep(50);
            waitedMs += 50;
        }

        foreach (var worker in _workers)
        {
            if (!worker.Join(TimeSpan.FromSeconds(1)))
            {
                AuditLog.Write($"{worker.Name} did not stop in time");
            }
        }
    }

    private void WorkLoop()
    {
        foreach (var request in _queue.GetConsumingEnumerable())
        {
            Interlocked.Increment(ref _activeRequests);
            try
            {
                request();
            }
            catch (Exception ex)
            {
                AuditLog.Write($"request failed: {ex.Message}");
            }
            finally
            {
                Interlocked.Decrement(ref _activeRequests);
            }
        }
    }
}
