using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Ledger;

public sealed record LedgerEntry(DateOnly Date, string Reference, decimal Debit, decimal Credit);

public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Entries, string? NextCursor);

public interface ILedgerApi
{
    Task<LedgerPage> GetEntriesAsync(string account, string? cursor, CancellationToken cancellationToken);
}

public sealed class LedgerTotals
{
    public decimal Debit { get; private set; }

    public decimal Credit { get; private set; }

    public int Count { get; private set; }

    public decimal Balance => Credit - Debit;

    public void Add(LedgerEntry entry)
    {
        Debit += entry.Debit;
        Credit += entry.Credit;
        Count++;
    }
}

public sealed class LedgerPageReader
{
    private readonly ILedgerApi _api;

    public LedgerPageReader(ILedgerApi api) => _api = api;

    public async Task StreamEntriesAsync(string account, ChannelWriter<LedgerEntry> writer, CancellationToken cancellationToken)
    {
        string? cursor = null;
        try
        {
            while (true)
            {
                var page = await _api.GetEntriesAsync(account, cursor, cancellationToken);
                foreach (var entry in page.Entries)
                {
                    await writer.WriteAsync(entry, cancellationToken);
                }

                if (page.NextCursor is null)
                {
                    writer.Complete();
                    break;
                }

                cursor = page.NextCursor;
            }
        }
        finally
        {
            writer.Complete(); // expect: CONC041
        }
    }
}

public sealed class LedgerCsvExporter
{
    private const string HeaderLine = "date,reference,debit,credit,balance";

    private readonly LedgerPageReader _pages;

    public LedgerCsvExporter(LedgerPageReader pages) => _pages = pages;

    public async Task<LedgerTotals> ExportAsync(string account, TextWriter output, CancellationToken cancellationToken)
    {
        var entries = Channel.CreateBounded<LedgerEntry>(new BoundedChannelOptions(1_000) { SingleWriter = true, SingleReader = true });
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(1_000) { SingleWriter = true, SingleReader = true });

        var reading = _pages.StreamEntriesAsync(account, entries.Writer, cancellationToken);
        var copying = CopyLinesAsync(lines.Reader, output, cancellationToken);
        var totals = new LedgerTotals();

        try
        {
            await WriteHeaderAsync(lines.Writer, cancellationToken);
            await foreach (var entry in entries.Reader.ReadAllAsync(cancellationToken))
            {
                totals.Add(entry);
                await lines.Writer.WriteAsync(FormatLine(entry, totals.Balance), cancellationToken);
            }

            await reading;
        }
        finally
        {
            lines.Writer.TryComplete();
        }

        await WriteTotalsAsync(lines.Writer, totals, cancellationToken); // expect: CONC040
        await copying;
        return totals;
    }

    private static Task WriteHeaderAsync(ChannelWriter<string> writer, CancellationToken cancellationToken)
        => writer.WriteAsync(HeaderLine, cancellationToken).AsTask();

    private static async Task WriteTotalsAsync(ChannelWriter<string> writer, LedgerTotals totals, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(string.Empty, cancellationToken);
        await writer.WriteAsync(
            string.Create(CultureInfo.InvariantCulture, $"total,{totals.Count},{totals.Debit:F2},{totals.Credit:F2},{totals.Balance:F2}"),
            cancellationToken);
    }

    private static string FormatLine(LedgerEntry entry, decimal runningBalance)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"{entry.Date:yyyy-MM-dd},{entry.Reference},{entry.Debit:F2},{entry.Credit:F2},{runningBalance:F2}");

    private static async Task CopyLinesAsync(ChannelReader<string> lines, TextWriter output, CancellationToken cancellationToken)
    {
        await foreach (var line in lines.ReadAllAsync(cancellationToken))
        {
            await output.WriteLineAsync(line);
        }

        await output.FlushAsync(); // expect: CONC012
    }
}
