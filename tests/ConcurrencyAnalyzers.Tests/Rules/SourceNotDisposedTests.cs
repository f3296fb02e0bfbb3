using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.SourceNotDisposedAnalyzer,
    ConcurrencyAnalyzers.Rules.SourceNotDisposedCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class SourceNotDisposedTests
    {
        [Fact]
        public Task Per_request_timeout_and_linked_sources_are_declared_with_using()
        {
            const string source = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class InventoryClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetStockAsync(string sku, CancellationToken cancellationToken)
                    {
                        var linked = {|#0:CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)|};
                        linked.CancelAfter(TimeSpan.FromSeconds(2));
                        return await _http.GetStringAsync("https://stock.example/" + sku, linked.Token);
                    }

                    public async Task<bool> PingAsync()
                    {
                        var cts = {|#1:new CancellationTokenSource(TimeSpan.FromSeconds(1))|};
                        try
                        {
                            using var response = await _http.GetAsync("https://stock.example/ping", cts.Token);
                            return response.IsSuccessStatusCode;
                        }
                        catch (OperationCanceledException)
                        {
                            return false;
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class InventoryClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetStockAsync(string sku, CancellationToken cancellationToken)
                    {
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        linked.CancelAfter(TimeSpan.FromSeconds(2));
                        return await _http.GetStringAsync("https://stock.example/" + sku, linked.Token);
                    }

                    public async Task<bool> PingAsync()
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                        try
                        {
                            using var response = await _http.GetAsync("https://stock.example/ping", cts.Token);
                            return response.IsSuccessStatusCode;
                        }
                        catch (OperationCanceledException)
                        {
                            return false;
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC013").WithLocation(0).WithArguments("'linked'", "stays registered with the tokens it links"),
                Verify.Diagnostic("CONC013").WithLocation(1).WithArguments("'cts'", "keeps its timeout timer"));
        }

        [Fact]
        public Task A_source_made_on_the_spot_for_its_token_moves_into_a_using_declaration()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public static class ManifestReader
                {
                    public static async Task<string> ReadAsync(string path)
                    {
                        // A stuck share should not hang the deploy.
                        var text = await File.ReadAllTextAsync(path, {|#0:new CancellationTokenSource(TimeSpan.FromSeconds(5))|}.Token);
                        return text.Trim();
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public static class ManifestReader
                {
                    public static async Task<string> ReadAsync(string path)
                    {
                        // A stuck share should not hang the deploy.
                        using var timeoutSource = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        var text = await File.ReadAllTextAsync(path, timeoutSource.Token);
                        return text.Trim();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC013").WithLocation(0).WithArguments("This CancellationTokenSource", "keeps its timeout timer"));
        }

        [Fact]
        public Task A_source_whose_token_outlives_the_method_or_that_is_dropped_whole_gets_no_using()
        {
            const string source = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Feeds
                {
                    private readonly HttpClient _http = new HttpClient();
                    private Task? _pump;

                    public Task<string> GetAsync(string url)
                    {
                        var cts = {|#0:new CancellationTokenSource(TimeSpan.FromSeconds(5))|};
                        return _http.GetStringAsync(url, cts.Token);
                    }

                    public void StartPump(CancellationToken stopping)
                    {
                        var linked = {|#1:CancellationTokenSource.CreateLinkedTokenSource(stopping)|};
                        _pump = PumpAsync(linked.Token);
                    }

                    public Task<string> GetQuicklyAsync(string url) => _http.GetStringAsync(url, {|#2:new CancellationTokenSource(500)|}.Token);

                    public void Touch()
                    {
                        {|#3:new CancellationTokenSource(1000)|};
                    }

                    private static Task PumpAsync(CancellationToken token) => Task.Delay(Timeout.Infinite, token);
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC013").WithLocation(0).WithArguments("'cts'", "keeps its timeout timer"),
                Verify.Diagnostic("CONC013").WithLocation(1).WithArguments("'linked'", "stays registered with the tokens it links"),
                Verify.Diagnostic("CONC013").WithLocation(2).WithArguments("This CancellationTokenSource", "keeps its timeout timer"),
                Verify.Diagnostic("CONC013").WithLocation(3).WithArguments("This CancellationTokenSource", "keeps its timeout timer"));
        }

        [Fact]
        public Task A_plain_source_is_a_suggestion_and_a_reassigned_one_has_no_fix()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class BatchRunner
                {
                    public async Task RunAsync(Func<CancellationToken, Task> step, int batches)
                    {
                        var cts = {|#0:new CancellationTokenSource()|};
                        for (var i = 0; i < batches; i++)
                        {
                            await step(cts.Token);
                        }

                        cts.Cancel();
                    }

                    public async Task RetryAsync(Func<CancellationToken, Task> step)
                    {
                        var attempt = {|#1:new CancellationTokenSource(TimeSpan.FromSeconds(1))|};
                        try
                        {
                            await step(attempt.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            attempt = {|#2:new CancellationTokenSource(TimeSpan.FromSeconds(5))|};
                            await step(attempt.Token);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class BatchRunner
                {
                    public async Task RunAsync(Func<CancellationToken, Task> step, int batches)
                    {
                        using var cts = new CancellationTokenSource();
                        for (var i = 0; i < batches; i++)
                        {
                            await step(cts.Token);
                        }

                        cts.Cancel();
                    }

                    public async Task RetryAsync(Func<CancellationToken, Task> step)
                    {
                        var attempt = {|#1:new CancellationTokenSource(TimeSpan.FromSeconds(1))|};
                        try
                        {
                            await step(attempt.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            attempt = {|#2:new CancellationTokenSource(TimeSpan.FromSeconds(5))|};
                            await step(attempt.Token);
                        }
                    }
                }
                """;
            var test = new Verify.Test { TestCode = source, FixedCode = fixedSource };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC013").WithSeverity(DiagnosticSeverity.Info).WithLocation(0).WithArguments("'cts'", "is created here"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC013").WithLocation(1).WithArguments("'attempt'", "keeps its timeout timer"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC013").WithLocation(2).WithArguments("'attempt'", "keeps its timeout timer"));
            test.FixedState.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC013").WithLocation(1).WithArguments("'attempt'", "keeps its timeout timer"));
            test.FixedState.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC013").WithLocation(2).WithArguments("'attempt'", "keeps its timeout timer"));
            test.FixedState.MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow;
            return test.RunAsync();
        }

        [Fact]
        public Task Disposed_returned_stored_and_captured_sources_are_not_reported()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class LeaseKeeper : IDisposable
                {
                    private CancellationTokenSource? _renewal;
                    private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

                    public void Start(Func<CancellationToken, Task> renew)
                    {
                        _renewal = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                        var local = new CancellationTokenSource();
                        _ = Task.Run(async () =>
                        {
                            try { await renew(local.Token); }
                            finally { local.Dispose(); }
                        });
                    }

                    public static CancellationTokenSource WithDeadline(TimeSpan deadline, CancellationToken outer)
                    {
                        var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
                        cts.CancelAfter(deadline);
                        return cts;
                    }

                    public static async Task WaitAsync(Func<CancellationToken, Task> work)
                    {
                        using var a = new CancellationTokenSource(1000);
                        using (var b = new CancellationTokenSource(2000))
                        {
                            await work(b.Token);
                        }

                        var c = new CancellationTokenSource(3000);
                        try
                        {
                            await work(c.Token);
                        }
                        finally
                        {
                            c.Dispose();
                        }

                        var d = new CancellationTokenSource(4000);
                        using (d)
                        {
                            await work(d.Token);
                        }

                        var e = new CancellationTokenSource(5000);
                        Register(e);
                        await work(a.Token);
                    }

                    private static void Register(CancellationTokenSource source) => source.Dispose();

                    public void Dispose()
                    {
                        _renewal?.Dispose();
                        _stopping.Dispose();
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
