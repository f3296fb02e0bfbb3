using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Import;

public readonly record struct RawLine(long Number, string Text);

public sealed record CustomerRecord(string ExternalId, string Email, string Country, decimal CreditLimit);

public sealed record ImportError(long Line, string Reason);

public sealed record ImportSummary(long Imported, IReadOnlyCollection<ImportError> Errors);

public interface ICustomerRepository
{
    Task BulkUpsertAsync(IReadOnlyList<CustomerRecord> records, CancellationToken cancellationToken);
}

/// <summary>
/// Imports a customer CSV export: one reader, N parsers, one bulk writer.
/// </summary>
public sealed class CsvImportPipeline
{
    private const int WriteBatch = 500;

    private readonly ICustomerRepository _repository;
    private readonly int _parsers;
    private readonly ConcurrentQueue<ImportError> _errors = new();
    private long _imported;

    public CsvImportPipeline(ICustomerRepository repository, int parsers = 4)
    {
        _repository = repository;
        _parsers = parsers;
    }

    public async Task<ImportSummary> ImportAsync(string path, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<RawLine>(new BoundedChannelOptions(10_000) { SingleWriter = true });
        var records = Channel.CreateBounded<CustomerRecord>(new BoundedChannelOptions(WriteBatch * 4) { SingleReader = true });

        var readStage = Task.Run(() => ReadLinesAsync(path, lines.Writer, cancellationToken), cancellationToken);
        var parseStage = ParseAsync(lines.Reader, records.Writer, cancellationToken);
        var writeStage = WriteAsync(records.Reader, cancellationToken);

        await Task.WhenAll(readStage, parseStage, writeStage);
        return new ImportSummary(Interlocked.Read(ref _imported), _errors.ToArray());
    }

    private static async Task ReadLinesAsync(string path, ChannelWriter<RawLine> writer, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new StreamReader(path);
            long number = 0;

            // Header row.
            await reader.ReadLineAsync(cancellationToken);
            number++;

            string? text;
            while ((text = await reader.ReadLineAsync(cancellationToken)) is not null)
            {
                number++;
                if (text.Length == 0)
                {
                    continue;
                }

                await writer.WriteAsync(new RawLine(number, text), cancellationToken);
            }
        }
        finally
        {
            writer.Complete();
        }
    }

    private async Task ParseAsync(ChannelReader<RawLine> input, ChannelWriter<CustomerRecord> output, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = _parsers,
            CancellationToken = cancellationToken,
        };

        Exception? failure = null;
        try
        {
            await Parallel.ForEachAsync(input.ReadAllAsync(cancellationToken), options, async (line, token) =>
            {
                if (TryParse(line, out var customer, out var reason))
                {
                    await output.WriteAsync(customer, token);
                }
                else
                {
                    _errors.Enqueue(new ImportError(line.Number, reason));
                }
            });
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            output.TryComplete(failure);
        }
    }

    private async Task WriteAsync(ChannelReader<CustomerRecord> input, CancellationToken cancellationToken)
    {
        var batch = new List<CustomerRecord>(WriteBatch);
        await foreach (var customer in input.ReadAllAsync(cancellationToken))
        {
            batch.Add(customer);
            if (batch.Count < WriteBatch)
            {
                continue;
            }

            await _repository.BulkUpsertAsync(batch.ToArray(), cancellationToken);
            Interlocked.Add(ref _imported, batch.Count);
            batch.Clear();
        }

        if (batch.Count > 0)
        {
            await _repository.BulkUpsertAsync(batch.ToArray(), cancellationToken);
            Interlocked.Add(ref _imported, batch.Count);
        }
    }

    private static bool TryParse(RawLine line, out CustomerRecord customer, out string reason)
    {
        customer = null!;
        var fields = line.Text.Split(',');
        if (fields.Length != 4)
        {
            reason = $"expected 4 fields, got {fields.Length}";
            return false;
        }

        if (!fields[1].Contains('@'))
        {
            reason = "invalid e-mail";
            return false;
        }

        if (!decimal.TryParse(fields[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var limit))
        {
            reason = $"invalid credit limit '{fields[3]}'";
            return false;
        }

        customer = new CustomerRecord(fields[0].Trim(), fields[1].Trim(), fields[2].Trim().ToUpperInvariant(), limit);
        reason = string.Empty;
        return true;
    }
}
