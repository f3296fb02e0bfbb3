using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace Corpus.Races.Reporting
{
    public sealed record SalesLine(string Region, string Product, int Units, decimal Revenue);

    public sealed record RegionSummary(string Region, int Units, decimal Revenue);

    /// <summary>
    /// Builds the monthly sales report. Each region section is rendered in parallel into
    /// its own slot and stitched together sequentially afterwards.
    /// </summary>
    public sealed class MonthlyReportBuilder
    {
        public string Build(IReadOnlyList<SalesLine> lines, string title)
        {
            var regions = lines.Select(l => l.Region).Distinct().OrderBy(r => r, StringComparer.Ordinal).ToArray();
            var sections = new string[regions.Length];
            var totals = new decimal[regions.Length];

            Parallel.For(0, regions.Length, i =>
            {
                var regionLines = lines.Where(l => l.Region == regions[i]).ToList();
                var sb = new StringBuilder();
                sb.AppendLine($"## {regions[i]}");
                decimal subtotal = 0m;
                foreach (var line in regionLines.OrderByDescending(l => l.Revenue))
                {
                    sb.AppendLine($"- {line.Product,-30} {line.Units,8} {line.Revenue,14:N2}");
                    subtotal += line.Revenue;
                }
                sb.AppendLine($"Subtotal: {subtotal:N2}");
                sections[i] = sb.ToString();
                totals[i] = subtotal;
            });

            var report = new StringBuilder();
            report.AppendLine($"# {title}");
            foreach (var section in sections)
            {
                report.Append(section);
            }
            report.AppendLine($"Grand total: {totals.Sum():N2}");
            return report.ToString();
        }

        public async Task<string> BuildWithChartsAsync(IReadOnlyList<SalesLine> lines, Func<string, Task<string>> renderChart)
        {
            var productNames = lines.Select(l => l.Product).Distinct().ToList();
            var chartTasks = productNames.Select(p => renderChart(p)).ToList();
            var charts = await Task.WhenAll(chartTasks).ConfigureAwait(false);

            var appendix = new List<string>();
            for (int i = 0; i < charts.Length; i++)
            {
                appendix.Add($"{productNames[i]}: {charts[i]}");
            }
            return Build(lines, "Monthly sales") + Environment.NewLine + string.Join(Environment.NewLine, appendix);
        }

        public (int Units, decimal Revenue) Totals(IReadOnlyList<SalesLine> lines)
        {
            int units = 0;
            decimal revenue = 0m;
            Parallel.Invoke(
                () => units = lines.Sum(l => l.Units),
                () => revenue = lines.Sum(l => l.Revenue));
            return (units, revenue);
        }

        public IReadOnlyList<RegionSummary> SummarizeRegions(IReadOnlyList<SalesLine> lines)
        {
            return lines
                .AsParallel()
                .GroupBy(l => l.Region)
                .Select(g => new RegionSummary(g.Key, g.Sum(x => x.Units), g.Sum(x => x.Revenue)))
                .OrderByDescending(s => s.Revenue)
                .ToList();
        }

        public int[] CountAboveThresholds(IReadOnlyList<SalesLine> lines, int[] thresholds)
        {
            var counts = new int[thresholds.Length];
            for (int i = 0; i < thresholds.Length; i++)
            {
                counts[i] = lines.Count(l => l.Units >= thresholds[i]);
            }
            return counts;
        }
    }
}
