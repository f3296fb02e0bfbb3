using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;

namespace Corpus.Channels2.Printing;

public sealed record PrintJob(Guid Id, string Document, int Copies, int Attempt = 1);

public interface IPrinterDriver
{
    void Print(string document, int copies);
}

public sealed class PaperJamException : IOException
{
    public PaperJamException(string message)
        : base(message)
    {
    }
}

public sealed class PrintSpooler : IDisposable
{
    private const int MaxAttempts = 3;

    private readonly BlockingCollection<PrintJob> _jobs;
    private readonly Thread[] _workers;
    private readonly IPrinterDriver _driver;
    private int _printed;
    private int _failed;

    public PrintSpooler(IPrinterDriver driver, int workerCount = 2, int capacity = 64)
    {
        _driver = driver;
        _jobs = new BlockingCollection<PrintJob>(new ConcurrentQueue<PrintJob>(), capacity);
        _workers = new Thread[workerCount];
        for (var i = 0; i < workerCount; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = "spooler-" + i };
            _workers[i].Start();
        }
    }

    public int Printed => Volatile.Read(ref _printed);

    public int Failed => Volatile.Read(ref _failed);

    public bool Submit(string document, int copies = 1)
    {
        if (_jobs.IsAddingCompleted)
        {
            return false;
        }

        return _jobs.TryAdd(new PrintJob(Guid.NewGuid(), document, copies), TimeSpan.FromMilliseconds(500));
    }

    public bool SubmitUrgent(string document)
    {
        try
        {
            _jobs.Add(new PrintJob(Guid.NewGuid(), document, 1));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public void Shutdown(TimeSpan drainTimeout)
    {
        _jobs.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join(drainTimeout);
        }
    }

    public void Dispose()
    {
        _jobs.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _jobs.Dispose();
    }

    private void WorkerLoop()
    {
        foreach (var job in _jobs.GetConsumingEnumerable())
        {
            try
            {
                _driver.Print(job.Document, job.Copies);
                Interlocked.Increment(ref _printed);
            }
            catch (PaperJamException)
            {
                Requeue(job);
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }

    private void Requeue(PrintJob job)
    {
        var retry = job with { Attempt = job.Attempt + 1 };
        if (retry.Attempt > MaxAttempts || _jobs.IsAddingCompleted || !_jobs.TryAdd(retry))
        {
            Interlocked.Increment(ref _failed);
        }
    }
}
