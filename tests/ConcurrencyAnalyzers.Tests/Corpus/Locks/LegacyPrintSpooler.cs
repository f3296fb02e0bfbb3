using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace Corpus.Locks.LegacyPrintSpooler;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public sealed record PrintJob(Guid Id, string Printer, string Document, int Pages, DateTimeOffset SubmittedAt);

/// <summary>
/// Spooler ported from the old desktop client. Kept close to the original for now;
/// see the modernization ticket before changing the locking.
/// </summary>
public sealed class PrintSpooler : IDisposable
{
    private static int s_activeSpoolers;

    public readonly object SyncRoot = new();

    private object _statusLock = new object(); // expect: CONC032
    private readonly object _historyLock = new();
    private readonly Queue<PrintJob> _jobs = new();
    private readonly Dictionary<string, string> _printerStatus = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _pagesPerPrinter = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<PrintJob> _history = new();
    private readonly ILogger _logger;
    private bool _disposed;

    public PrintSpooler(ILogger logger)
    {
        _logger = logger;
        lock (typeof(PrintSpooler)) // expect: CONC031
        {
            s_activeSpoolers++;
        }
    }

    public static int ActiveSpoolers
    {
        get
        {
            lock (typeof(PrintSpooler)) // expect: CONC031
            {
                return s_activeSpoolers;
            }
        }
    }

    public Guid Submit(string printer, string document, int pages)
    {
        if (string.IsNullOrWhiteSpace(printer))
        {
            throw new ArgumentException("Printer name is required.", nameof(printer));
        }

        if (pages <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pages));
        }

        var job = new PrintJob(Guid.NewGuid(), printer, document, pages, DateTimeOffset.UtcNow);
        lock (this) // expect: CONC031
        {
            _jobs.Enqueue(job);
        }

        _logger.Info($"Queued {document} ({pages} pages) for {printer}.");
        return job.Id;
    }

    public PrintJob? TakeNext()
    {
        lock (this) // expect: CONC031
        {
            return _jobs.Count > 0 ? _jobs.Dequeue() : null;
        }
    }

    public IReadOnlyList<PrintJob> DrainQueue()
    {
        var drained = new List<PrintJob>();
        Monitor.Enter(this); // expect: CONC031
        try
        {
            while (_jobs.Count > 0)
            {
                drained.Add(_jobs.Dequeue());
            }
        }
        finally
        {
            Monitor.Exit(this);
        }

        return drained;
    }

    public void RecordPrinted(PrintJob job)
    {
        lock (SyncRoot) // expect: CONC031
        {
            _pagesPerPrinter[job.Printer] = _pagesPerPrinter.GetValueOrDefault(job.Printer) + job.Pages;
        }

        lock (_historyLock)
        {
            _history.Add(job);
            if (_history.Count > 500)
            {
                _history.RemoveAt(0);
            }
        }
    }

    public void SetPrinterStatus(string printer, string status)
    {
        lock (_statusLock)
        {
            _printerStatus[printer] = status;
        }
    }

    public string GetPrinterStatus(string printer)
    {
        lock (_statusLock)
        {
            return _printerStatus.TryGetValue(printer, out var status) ? status : "unknown";
        }
    }

    public void ResetPrinter(string printer)
    {
        // Serialize resets per printer so two operators cannot reset the same device at once.
        lock (printer) // expect: CONC031
        {
            _logger.Warn($"Resetting printer {printer}.");
            SetPrinterStatus(printer, "resetting");
            SetPrinterStatus(printer, "ready");
        }
    }

    public void ExportHistory(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);

        PrintJob[] snapshot;
        lock (_historyLock)
        {
            snapshot = _history.ToArray();
        }

        // Only one export may write to the shared report folder at a time.
        lock ("print-history-export") // expect: CONC031
        {
            foreach (var job in snapshot)
            {
                writer.WriteLine($"{job.SubmittedAt:u}\t{job.Printer}\t{job.Document}\t{job.Pages}");
            }
        }
    }

    public int PagesPrinted(string printer)
    {
        lock (SyncRoot) // expect: CONC031
        {
            return _pagesPerPrinter.GetValueOrDefault(printer);
        }
    }

    public void Dispose()
    {
        lock (_historyLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        lock (typeof(PrintSpooler)) // expect: CONC031
        {
            s_activeSpoolers--;
        }
    }
}
