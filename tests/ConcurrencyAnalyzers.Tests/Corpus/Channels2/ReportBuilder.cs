using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Reporting;

public sealed record ReportRow(IReadOnlyList<string> Cells)
{
    public static ReportRow Header(IEnumerable<string> columns) => new(columns.ToArray());
}

public sealed record ReportRequest(string Name, IReadOnlyList<string> Columns, IReadOnlyList<string> Regions, DateOnly From, DateOnly To, string OutputPath);

public sealed record ReportFile(string Path, int Rows);

public interface IWarehouse
{
    IAsyncEnumerable<ReportRow> QueryAsync(string region, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

public interface IArchiveClient
{
    void Upload(string path);
}

internal static class Csv
{
    public static string Line(ReportRow row)
        => string.Join(",", row.Cells.Select(Escape));

    private static string Escape(string cell)
        => cell.IndexOfAny(new[] { ',', '"', '\n' }) >= 0
            ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : cell;
}

public sealed class ReportBuilder
{
    private readonly IWarehouse _warehouse;
    private readonly ReportArchiver _archiver;

    public ReportBuilder(IWarehouse warehouse, ReportArchiver archiver)
    {
        _warehouse = warehouse;
        _archiver = archiver;
    }

    public async Task<ReportFile> BuildAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var rows = Channel.CreateBounded<ReportRow>(new BoundedChannelOptions(2_000)
        {
            SingleWriter = false,
            SingleReader = true,
        });

        await rows.Writer.WriteAsync(ReportRow.Header(request.Columns), cancellationToken);

        var query = Task.Run(async () =>
        {
            foreach (var region in request.Regions)
            {
                await foreach (var row in _warehouse.QueryAsync(region, request.From, request.To, cancellationToken))
                {
                    await rows.Writer.WriteAsync(row, cancellationToken); // expect: CONC040
                }
            }
        }, cancellationToken);

        var writing = WriteCsvAsync(rows.Reader, request.OutputPath, cancellationToken);
        rows.Writer.Complete();

        await Task.WhenAll(query, writing);
        var file = new ReportFile(request.OutputPath, await writing);
        _archiver.Enqueue(file.Path);
        return file;
    }

    private static async Task<int> WriteCsvAsync(ChannelReader<ReportRow> rows, string path, CancellationToken cancellationToken)
    {
        var written = 0;
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await using var writer = new StreamWriter(stream);
        await foreach (var row in rows.ReadAllAsync(cancellationToken))
        {
            await writer.WriteLineAsync(Csv.Line(row));
            written++;
        }

        return written;
    }
}

public sealed class ReportArchiver : IDisposable
{
    private readonly BlockingCollection<string> _pending = new(boundedCapacity: 100);
    private readonly IArchiveClient _archive;
    private readonly Thread _worker;
    private int _archived;
    private int _failed;

    public ReportArchiver(IArchiveClient archive)
    {
        _archive = archive;
        _worker = new Thread(ArchiveLoop) { IsBackground = true, Name = "report-archiver" };
        _worker.Start();
    }

    public int Archived => Volatile.Read(ref _archived);

    public int Failed => Volatile.Read(ref _failed);

    public void Enqueue(string path) => _pending.Add(path);

    public void Dispose()
    {
        if (!_worker.Join(TimeSpan.FromSeconds(30)))
        {
            Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "report archiver still busy; {0} reports left", _pending.Count));
        }

        _pending.Dispose();
    }

    private void ArchiveLoop()
    {
        foreach (var path in _pending.GetConsumingEnumerable()) // expect: CONC042
        {
            try
            {
                _archive.Upload(path);
                File.Delete(path);
                Interlocked.Increment(ref _archived);
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }
}
