using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Import
{
    public sealed record CustomerRow(int LineNumber, string Email, string Name, string Country);

    public sealed record ImportError(int LineNumber, string Reason);

    public sealed record ImportSummary(int Imported, int Skipped, IReadOnlyList<ImportError> Errors);

    public interface ICustomerStore
    {
        bool TryUpsert(CustomerRow row, out string? failure);
    }

    internal static class RowValidator
    {
        public static string? Validate(CustomerRow row)
        {
            if (string.IsNullOrWhiteSpace(row.Email) || !row.Email.Contains('@')) return "invalid email";
            if (string.IsNullOrWhiteSpace(row.Name)) return "missing name";
            if (row.Country.Length != 2) return "country must be ISO-3166 alpha-2";
            return null;
        }
    }

    public sealed class CsvCustomerImporter
    {
        private readonly ICustomerStore _store;
        private readonly ParallelOptions _options;

        public CsvCustomerImporter(ICustomerStore store, int maxDegree)
        {
            _store = store;
            _options = new ParallelOptions { MaxDegreeOfParallelism = maxDegree };
        }

        public static IReadOnlyList<CustomerRow> Parse(TextReader reader)
        {
            var rows = new List<CustomerRow>();
            string? line;
            int lineNumber = 0;
            while ((line = reader.ReadLine()) != null)
            {
                lineNumber++;
                if (lineNumber == 1 || line.Length == 0) continue;
                var parts = line.Split(',');
                rows.Add(new CustomerRow(
                    lineNumber,
                    parts.ElementAtOrDefault(0)?.Trim() ?? string.Empty,
                    parts.ElementAtOrDefault(1)?.Trim() ?? string.Empty,
                    parts.ElementAtOrDefault(2)?.Trim().ToUpperInvariant() ?? string.Empty));
            }
            return rows;
        }

        // First implementation, still wired to the admin "quick import" button.
        public ImportSummary ImportQuick(IReadOnlyList<CustomerRow> rows)
        {
            var errors = new List<ImportError>();
            int imported = 0;
            int skipped = 0;
            Parallel.ForEach(rows, _options, row =>
            {
                var problem = RowValidator.Validate(row);
                if (problem != null)
                {
                    errors.Add(new ImportError(row.LineNumber, problem));   // expect: CONC002
                    skipped++;                                              // expect: CONC001
                    return;
                }

                if (_store.TryUpsert(row, out var failure))
                {
                    imported++;                                             // expect: CONC001
                }
                else
                {
                    errors.Add(new ImportError(row.LineNumber, failure ?? "unknown"));  // expect: CONC002
                }
            });
            return new ImportSummary(imported, skipped, errors.OrderBy(e => e.LineNumber).ToList());
        }

        public ImportSummary Import(IReadOnlyList<CustomerRow> rows)
        {
            var errors = new ConcurrentBag<ImportError>();
            int imported = 0;
            int skipped = 0;
            Parallel.ForEach(rows, _options, row =>
            {
                var problem = RowValidator.Validate(row);
                if (problem != null)
                {
                    errors.Add(new ImportError(row.LineNumber, problem));
                    Interlocked.Increment(ref skipped);
                    return;
                }

                if (_store.TryUpsert(row, out var failure))
                    Interlocked.Increment(ref imported);
                else
                    errors.Add(new ImportError(row.LineNumber, failure ?? "unknown"));
            });
            return new ImportSummary(imported, skipped, errors.OrderBy(e => e.LineNumber).ToList());
        }

        public ImportSummary ImportChunked(IReadOnlyList<CustomerRow> rows, int chunkSize)
        {
            var gate = new object();
            var errors = new List<ImportError>();
            int imported = 0;
            Parallel.ForEach(rows.Chunk(chunkSize), _options, chunk =>
            {
                var localErrors = new List<ImportError>();
                int localImported = 0;
                foreach (var row in chunk)
                {
                    var problem = RowValidator.Validate(row);
                    if (problem == null && _store.TryUpsert(row, out _))
                        localImported++;
                    else
                        localErrors.Add(new ImportError(row.LineNumber, problem ?? "store rejected row"));
                }

                lock (gate)
                {
                    errors.AddRange(localErrors);
                    imported += localImported;
                }
            });
            return new ImportSummary(imported, errors.Count, errors.OrderBy(e => e.LineNumber).ToList());
        }
    }
}
