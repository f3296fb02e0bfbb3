using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.ReportWorker;

public sealed record ReportJob(Guid Id, string TenantId, string ReportType, int Attempt = 0);

public sealed record RenderedReport(Guid JobId, byte[] Content);

public interface IReportRenderer
{
    RenderedReport Render(ReportJob job);
}

/// <summary>
/// Renders queued reports on pool threads and hands the results to a dedicated upload thread.
/// </summary>
public sealed class ReportRenderingWorker : IDisposable
{
    private const int MaxDeadLetters = 500;

    private readonly ConcurrentQueue<ReportJob> _pending = new();
    private readonly ConcurrentQueue<ReportJob> _deadLetters = new();
    private readonly BlockingCollection<RenderedReport> _outbox = new(boundedCapacity: 64);
    private readonly IReportRenderer _renderer;
    private readonly Action<RenderedReport> _upload;
    private readonly Thread _uploader;
    private long _rendered;

    public ReportRenderingWorker(IReportRenderer renderer, Action<RenderedReport> upload)
    {
        _renderer = renderer;
        _upload = upload;
        _uploader = new Thread(UploadLoop) { IsBackground = true, Name = "report-uploader" };
        _uploader.Start();
    }

    public long RenderedCount => Interlocked.Read(ref _rendered);

    public void Enqueue(ReportJob job) => _pending.Enqueue(job);

    // Processes everything currently queued using `workers` parallel renderers.
    public Task DrainAsync(int workers) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => RenderUntilEmpty())));

    private void RenderUntilEmpty()
    {
        while (_pending.TryDequeue(out var job))
            RenderOne(job);
    }

    // Backs the "render next" button on the ops dashboard.
    public void RenderNext()
    {
        if (_pending.Count == 0) // expect: CONC052
            return;
        _pending.TryDequeue(out var job);
        RenderOne(job!);
    }

    // Interactive requests skip the queue when the upload outbox still has room.
    public bool TryRenderImmediately(ReportJob job)
    {
        var report = _renderer.Render(job);
        Interlocked.Increment(ref _rendered);
        if (_outbox.Count < _outbox.BoundedCapacity) // expect: CONC052
        {
            _outbox.Add(report);
            return true;
        }
        _pending.Enqueue(job);
        return false;
    }

    public IReadOnlyList<ReportJob> DeadLetters() => _deadLetters.ToArray();

    private void RenderOne(ReportJob job)
    {
        try
        {
            var report = _renderer.Render(job);
            Interlocked.Increment(ref _rendered);
            if (!_outbox.TryAdd(report, TimeSpan.FromSeconds(30)))
                DeadLetter(job);
        }
        catch (Exception) when (job.Attempt < 3)
        {
            _pending.Enqueue(job with { Attempt = job.Attempt + 1 });
        }
        catch (Exception)
        {
            DeadLetter(job);
        }
    }

    private void DeadLetter(ReportJob job)
    {
        // Keep only the most recent failures around for the dashboard.
        if (_deadLetters.Count >= MaxDeadLetters) // expect: CONC052
            _deadLetters.TryDequeue(out _);
        _deadLetters.Enqueue(job);
    }

    private void UploadLoop()
    {
        foreach (var report in _outbox.GetConsumingEnumerable())
        {
            try
            {
                _upload(report);
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"Upload of report {report.JobId} failed: {ex.Message}");
            }
        }
    }

    public void Dispose()
    {
        _outbox.CompleteAdding();
        _uploader.Join(TimeSpan.FromSeconds(30));
        _outbox.Dispose();
    }
}
