using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Cli.Reports
{
    public static class ReportExporterProgram
    {
        private static readonly char[] SpinnerFrames = { '|', '/', '-', '\\' };

        public static int Main(string[] args)
        {
            var outputDir = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : Path.Combine(Path.GetTempPath(), "reports");
            var quiet = args.Contains("--quiet");
            Directory.CreateDirectory(outputDir);

            if (!quiet)
            {
                foreach (var ch in "Quarterly report exporter v2.3")
                {
                    Console.Write(ch);
                    Thread.Sleep(15);
                }
                Console.WriteLine();
            }

            using var cts = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cts.Cancel();
            };

            var exporter = new ReportExporter(outputDir, ReportCatalog.Default());
            var export = Task.Run(() => exporter.ExportAll(cts.Token));

            if (!quiet)
            {
                var frame = 0;
                while (!export.IsCompleted)
                {
                    Console.Write($"\r{SpinnerFrames[frame++ % SpinnerFrames.Length]} exported {exporter.Completed}/{exporter.Total}");
                    Thread.Sleep(100);
                }
                Console.WriteLine();
            }

            try
            {
                var written = export.GetAwaiter().GetResult();
                Console.WriteLine($"Wrote {written.Count} reports to {outputDir}");
                return 0;
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Cancelled.");
                return 130;
            }
        }
    }

    public sealed record ReportDefinition(string Name, Func<IEnumerable<string>> Rows);

    public static class ReportCatalog
    {
        public static IReadOnlyList<ReportDefinition> Default() => new[]
        {
            new ReportDefinition("revenue", () => Enumerable.Range(1, 12).Select(m => $"2024-{m:00},{m * 1000}")),
            new ReportDefinition("churn", () => Enumerable.Range(1, 12).Select(m => $"2024-{m:00},{m % 5}")),
            new ReportDefinition("signups", () => Enumerable.Range(1, 12).Select(m => $"2024-{m:00},{m * 37}")),
        };
    }

    public sealed class ReportExporter
    {
        private readonly string _outputDir;
        private readonly IReadOnlyList<ReportDefinition> _reports;
        private int _completed;

        public ReportExporter(string outputDir, IReadOnlyList<ReportDefinition> reports)
        {
            _outputDir = outputDir;
            _reports = reports;
        }

        public int Total => _reports.Count;

        public int Completed => Volatile.Read(ref _completed);

        public IReadOnlyList<string> ExportAll(CancellationToken token)
        {
            var written = new List<string>();
            foreach (var report in _reports)
            {
                token.ThrowIfCancellationRequested();
                var path = Path.Combine(_outputDir, report.Name + ".csv");
                var sb = new StringBuilder("period,value\n");
                foreach (var row in report.Rows())
                {
                    sb.Append(row).Append('\n');
                }

                WriteWithRetry(path, sb.ToString());
                written.Add(path);
                Interlocked.Increment(ref _completed);
            }

            return written;
        }

        private static void WriteWithRetry(string path, string content)
        {
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                try
                {
                    File.WriteAllText(path, content);
                    return;
                }
                catch (IOException) when (attempt < 3)
                {
                    // Someone has the previous export open in Excel; back off a little.
                    Thread.Sleep(500 * attempt);
                }
            }
        }
    }
}
