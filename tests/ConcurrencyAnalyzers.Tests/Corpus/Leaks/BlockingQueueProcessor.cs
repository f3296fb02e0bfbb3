using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.BlockingQueueProcessor;

public sealed record PrintJob(int Id, string Document, int Copies);

public interface IPrinter
{
    void Print(PrintJob job);
    Task<bool> PingAsync();
}

/// <summary>Serialises print jobs onto one dedicated thread; the printer driver is not thread-safe.</summary>
public sealed class PrintSpooler : IDisposable
{
    private readonly BlockingCollection<PrintJob> _jobs = new(boundedCapacity: 100);
    private readonly IPrinter _printer;
    private readonly Thread _worker;
    private int _printed;

    public PrintSpooler(IPrinter printer)
    {
        _printer = printer;
        _worker = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    // Take throws once CompleteAdding has been called and the queue is empty.
                    var job = _jobs.Take();
                    _printer.Print(job);
                    Interlocked.Increment(ref _printed);
                }
            }
            catch (InvalidOperationException) when (_jobs.IsAddingCompleted)
            {
                // spooler shut down
            }
        })
        {
            IsBackground = true,
            Name = "print-spooler",
        };
        _worker.Start();
    }

    public int Printed => Volatile.Read(ref _printed);

    public bool TrySubmit(PrintJob job) => _jobs.TryAdd(job, TimeSpan.FromSeconds(1));

    public void Dispose()
    {
        _jobs.CompleteAdding();
        _worker.Join();
        _jobs.Dispose();
    }
}

/// <summary>Renders reports one at a time on a long-running task.</summary>
public sealed class ReportRenderer
{
    private readonly BlockingCollection<string> _requests = new();
    private readonly Task _consumer;

    public ReportRenderer(Action<string> render)
    {
        _consumer = Task.Factory.StartNew(() =>
        {
            foreach (var reportName in _requests.GetConsumingEnumerable())
            {
                render(reportName);
            }
        }, TaskCreationOptions.LongRunning);
    }

    public void Request(string reportName) => _requests.Add(reportName); // expect: CONC040

    public async Task DrainAsync()
    {
        _requests.CompleteAdding();
        await _consumer;
    }
}

/// <summary>Groups shipping labels into sheets of 20 before printing them.</summary>
public sealed class LabelBatcher
{
    private const int SheetSize = 20;
    private readonly BlockingCollection<string> _labels = new();
    private readonly Action<IReadOnlyList<string>> _printSheet;
    private Task? _loop;

    public LabelBatcher(Action<IReadOnlyList<string>> printSheet) => _printSheet = printSheet;

    public void Start()
    {
        _loop = Task.Run(() =>
        {
            var sheet = new List<string>(SheetSize);
            for (;;) // expect: CONC011
            {
                if (_labels.TryTake(out var label, TimeSpan.FromMilliseconds(250)))
                {
                    sheet.Add(label);
                    if (sheet.Count < SheetSize)
                    {
                        continue;
                    }
                }

                // sheet full, or nothing arrived for a while: print what we have
                if (sheet.Count > 0)
                {
                    _printSheet(sheet.ToArray());
                    sheet.Clear();
                }
            }
        });
    }

    public bool IsRunning => _loop is { IsCompleted: false };

    public void Add(string label) => _labels.Add(label); // expect: CONC040

    public void Complete() => _labels.CompleteAdding();
}

public sealed class PrinterHealthMonitor
{
    private readonly IPrinter _printer;
    private readonly Action<string> _onOffline;

    public PrinterHealthMonitor(IPrinter printer, Action<string> onOffline)
    {
        _printer = printer;
        _onOffline = onOffline;
    }

    // Called from the paper-jam sensor interrupt; must return immediately.
    public void CheckSoon()
    {
        ThreadPool.QueueUserWorkItem(async _ => // expect: CONC010
        {
            if (!await _printer.PingAsync())
            {
                _onOffline("printer did not answer the health check");
            }
        });
    }

    public async Task WaitUntilOnlineAsync(CancellationToken cancellationToken)
    {
        while (!await _printer.PingAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Delay(TimeSpan.FromSeconds(2)); // expect: CONC012
        }
    }
}
