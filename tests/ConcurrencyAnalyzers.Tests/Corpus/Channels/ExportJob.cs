using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Exports;

public sealed record ExportQuery(string Tenant, DateOnly From, DateOnly To);

public sealed record ExportRow(long Id, string Tenant, DateTimeOffset CreatedAt, decimal Amount, string Currency);

public sealed record ExportPage(IReadOnlyList<ExportRow> Rows, string? ContinuationToken);

public sealed record ExportStats(long Rows, long Pages, decimal Total)
{
    public static ExportStats Empty { get; } = new(0, 0, 0m);

    public ExportStats Add(ExportPage page)
    {
        decimal total = Total;
        foreach (var row in page.Rows)
        {
            total += row.Amount;
        }

        return new ExportStats(Rows + page.Rows.Count, Pages + 1, total);
    }
}

public interface IExportSource
{
    IAsyncEnumerable<ExportPage> ReadPagesAsync(ExportQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// Nightly ledger export. Pages are read from the reporting replica while the previous
/// page is being serialized, and the output is newline-delimited JSON with a summary line.
/// </summary>
public sealed class LedgerExportJob
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly IExportSource _source;

    public LedgerExportJob(IExportSource source)
    {
        _source = source;
    }

    public async Task<ExportStats> RunAsync(ExportQuery query, string outputPath, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(5_000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });

        var sink = WriteFileAsync(channel.Reader, outputPath, cancellationToken);

        ExportStats stats;
        try
        {
            stats = await ProduceRowsAsync(query, channel.Writer, cancellationToken);
        }
        catch (Exception ex)
        {
            channel.Writer.TryComplete(ex);
            await IgnoreFailureAsync(sink);
            throw;
        }

        channel.Writer.TryComplete();
        await AppendSummaryAsync(channel.Writer, query, stats, cancellationToken); // expect: CONC040
        await sink;

        return stats;
    }

    private async Task<ExportStats> ProduceRowsAsync(ExportQuery query, ChannelWriter<string> writer, CancellationToken cancellationToken)
    {
        var stats = ExportStats.Empty;
        await foreach (var page in _source.ReadPagesAsync(query, cancellationToken))
        {
            foreach (var row in page.Rows)
            {
                await writer.WriteAsync(JsonSerializer.Serialize(row, JsonOptions), cancellationToken);
            }

            stats = stats.Add(page);
        }

        return stats;
    }

    private static async Task AppendSummaryAsync(ChannelWriter<string> writer, ExportQuery query, ExportStats stats, CancellationToken cancellationToken)
    {
        var summary = new
        {
            type = "summary",
            tenant = query.Tenant,
            periodStart = query.From,
            periodEnd = query.To,
            rows = stats.Rows,
            total = stats.Total,
        };

        await writer.WriteAsync(JsonSerializer.Serialize(summary, JsonOptions), cancellationToken);
    }

    private static async Task WriteFileAsync(ChannelReader<string> reader, string outputPath, CancellationToken cancellationToken)
    {
        var tempPath = outputPath + ".partial";
        await using (var stream = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        await using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            await foreach (var line in reader.ReadAllAsync(cancellationToken))
            {
                await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
            }
        }

        // Only publish the file once it is complete so downstream pickers never see half an export.
        File.Move(tempPath, outputPath, overwrite: true);
    }

    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The producer's exception is the one worth reporting.
        }
    }
}
