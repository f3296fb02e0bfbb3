using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConcurrencyAnalyzers.EndToEndTests
{
    /// <summary>The package as a user gets it: installed from a feed, built, gated in CI, fixed in bulk.</summary>
    [Collection(InstalledPackageCollection.Name)]
    public class PackageTests
    {
        internal static readonly string[] RuleIds = { "CONC001", "CONC002", "CONC003", "CONC004", "CONC005", "CONC010", "CONC011", "CONC012", "CONC013", "CONC014", "CONC020", "CONC021", "CONC022", "CONC030", "CONC031", "CONC032", "CONC033", "CONC034", "CONC040", "CONC041", "CONC042", "CONC050", "CONC051", "CONC052", "CONC053" };
        private readonly InstalledPackageFixture _package;

        public PackageTests(InstalledPackageFixture package) => _package = package;

        [Fact]
        public void The_package_holds_only_the_two_analyzer_assemblies_and_is_a_development_dependency()
        {
            using var archive = ZipFile.OpenRead(_package.PackagePath);
            var entries = archive.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("analyzers/dotnet/cs/ConcurrencyAnalyzers.Analyzers.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/ConcurrencyAnalyzers.CodeFixes.dll", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));

            using var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<id>ConcurrencyAnalyzers</id>", text);
            Assert.Contains("<developmentDependency>true</developmentDependency>", text);
            Assert.DoesNotContain("<dependency ", text);
        }

        [Fact]
        public void Building_the_consumer_shows_the_warnings_and_warnings_as_errors_fails_the_build()
        {
            var directory = _package.CopyConsumer("build");

            var build = DotNet.Run(directory, "build", "--no-incremental", "--no-restore");
            Assert.True(build.ExitCode == 0, build.ToString());
            foreach (var id in RuleIds)
            {
                Assert.Matches(new Regex(@"Jobs\.cs\(\d+,\d+\): warning " + id + ":"), build.Output);
            }

            var gated = DotNet.Run(directory, "build", "--no-incremental", "--no-restore", "-p:TreatWarningsAsErrors=true");
            Assert.NotEqual(0, gated.ExitCode);
            Assert.Matches(new Regex(@"error CONC0\d\d:"), gated.Output);
        }

        [Fact]
        public void A_SARIF_2_1_error_log_holds_each_result_with_its_rule_and_help_link()
        {
            var directory = _package.CopyConsumer("sarif");
            var log = Path.Combine(directory, "concurrency.sarif");

            var build = DotNet.Run(directory, "build", "--no-incremental", "--no-restore", "-p:ErrorLog=" + log + "%2Cversion%3D2.1");
            Assert.True(build.ExitCode == 0, build.ToString());

            using var sarif = JsonDocument.Parse(File.ReadAllText(log));
            Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
            var run = sarif.RootElement.GetProperty("runs")[0];
            var resultIds = run.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ruleId").GetString()).ToHashSet();
            foreach (var id in RuleIds)
            {
                Assert.Contains(id, resultIds);
            }

            var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
                .Where(r => r.GetProperty("id").GetString()!.StartsWith("CONC", StringComparison.Ordinal))
                .ToList();
            Assert.All(rules, r => Assert.EndsWith("/docs/rules/" + r.GetProperty("id").GetString() + ".md", r.GetProperty("helpUri").GetString()));
        }

        [Fact]
        public void Dotnet_format_applies_every_fix_and_the_rebuild_is_clean()
        {
            var directory = _package.CopyConsumer("format");
            var source = Path.Combine(directory, "Jobs.cs");
            var before = File.ReadAllText(source);

            var format = DotNet.Run(directory, new[] { "format", "analyzers", "Consumer.csproj", "--no-restore", "--diagnostics" }.Concat(RuleIds).Concat(new[] { "--severity", "info" }).ToArray());
            Assert.True(format.ExitCode == 0, format.ToString());

            // dotnet format reports success even when no fix ran; the file itself must have changed.
            var after = File.ReadAllText(source);
            Assert.NotEqual(before, after);
            Assert.Contains("await Task.Delay(250, cancellationToken);", after);
            Assert.Contains("fill.Wait();", after);
            Assert.Contains("_readySignal.Wait();", after);
            Assert.Contains("_readySignal.Set();", after);
            Assert.Contains("Interlocked.Increment(ref _count);", after);
            var countAll = after.Substring(after.IndexOf("CountAll", StringComparison.Ordinal));
            Assert.True(Regex.IsMatch(countAll, @"lock \(_gate\)\s*\{\s*_names\.Add\(item\);"), countAll);
            Assert.Contains("var iCopy = i;", after);
            Assert.Contains("Interlocked.Increment(ref _hits)", after);
            Assert.Contains("lock (_gate)", after.Substring(after.IndexOf("ResetVersion", StringComparison.Ordinal)));
            Assert.Contains("public void Stop() => _labels.Writer.TryComplete();", after);
            Assert.Contains("public void Dispose() => _labels.Writer.TryComplete();", after);
            Assert.True(Regex.IsMatch(after, @"await output\.WriteAsync\(""end""\);\s*output\.Complete\(\);"), after);
            Assert.True(Regex.IsMatch(after, @"await builder;\s*manifest\.Writer\.Complete\(\);\s*await printer;"), after);
            var drain = after.Substring(after.IndexOf("public string[] Drain()", StringComparison.Ordinal));
            Assert.True(Regex.IsMatch(drain, @"^public string\[\] Drain\(\)\s*\{\s*lock \(_stock\)\s*\{\s*lock \(_audit\)"), drain);
            Assert.Contains("private readonly object _sync = new object();", after);
            Assert.Contains("lock (_sync) { return _count; }", after);
            Assert.Contains("private readonly object _report = new object();", after);
            Assert.True(Regex.IsMatch(after, @"lock \(_audit\)\s*\{\s*_lines\.Add\(line\.Trim\(\)\);\s*\}"), after);
            Assert.Contains("private SpinLock _counterSpin = new SpinLock(false);", after);
            Assert.Contains("private static readonly Lazy<ProductCache> s_shared = new Lazy<ProductCache>(() => new ProductCache(), LazyThreadSafetyMode.ExecutionAndPublication);", after);
            Assert.DoesNotContain("s_gate", after);
            Assert.Contains("return s_shared.Value;", after);
            Assert.Contains("private static readonly Lazy<Dictionary<string, string>> s_names = new Lazy<Dictionary<string, string>>(() => new Dictionary<string, string>(), LazyThreadSafetyMode.ExecutionAndPublication);", after);
            Assert.Contains("_hits.AddOrUpdate(sku, 1, (_, count) => count + 1);", after);
            Assert.Contains("private readonly ConcurrentDictionary<string, Lazy<string>> _templates = new ConcurrentDictionary<string, Lazy<string>>();", after);
            Assert.Contains("_templates.GetOrAdd(name, n => new Lazy<string>(() => File.ReadAllText(n), LazyThreadSafetyMode.ExecutionAndPublication)).Value", after);

            Assert.Contains("_ = RenewAsync(cancellationToken);", after);
            Assert.Contains("internal async Task HeartbeatAsync(CancellationToken cancellationToken = default)", after);
            Assert.True(Regex.IsMatch(after, @"while \(!cancellationToken\.IsCancellationRequested\)\s*\{\s*await Task\.Delay\(5000, cancellationToken\);"), after);
            Assert.Contains("using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);", after);
            Assert.Contains("return await response.Content.ReadAsStringAsync(deadline.Token);", after);
            Assert.Contains("using var timeoutSource = new CancellationTokenSource();", after);
            Assert.Contains("var request = _http.GetStringAsync(url, timeoutSource.Token);", after);
            Assert.True(Regex.IsMatch(after, @"var completed = await Task\.WhenAny\(request, Task\.Delay\(500\)\);\s*timeoutSource\.Cancel\(\);\s*if \(completed != request\)"), after);

            var rebuild = DotNet.Run(directory, "build", "--no-incremental", "--no-restore", "-p:TreatWarningsAsErrors=true");
            Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
            Assert.DoesNotMatch(new Regex(@"CONC0\d\d"), rebuild.Output);
        }
    }
}
