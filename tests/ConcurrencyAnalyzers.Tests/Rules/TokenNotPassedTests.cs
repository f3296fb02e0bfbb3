using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.TokenNotPassedAnalyzer,
    ConcurrencyAnalyzers.Rules.TokenNotPassedCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class TokenNotPassedTests
    {
        [Fact]
        public Task Queue_consumer_drops_its_token_on_the_read_the_lock_wait_and_the_backoff()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class InvoiceConsumer
                {
                    private readonly ChannelReader<string> _invoices;
                    private readonly SemaphoreSlim _printerGate = new SemaphoreSlim(1);

                    public InvoiceConsumer(ChannelReader<string> invoices) => _invoices = invoices;

                    public async Task RunAsync(CancellationToken cancellationToken)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            var invoice = await {|#0:_invoices.ReadAsync()|};
                            await {|#1:_printerGate.WaitAsync()|};
                            try
                            {
                                Console.WriteLine(invoice);
                            }
                            finally
                            {
                                _printerGate.Release();
                            }

                            await {|#2:Task.Delay(TimeSpan.FromMilliseconds(50))|};
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class InvoiceConsumer
                {
                    private readonly ChannelReader<string> _invoices;
                    private readonly SemaphoreSlim _printerGate = new SemaphoreSlim(1);

                    public InvoiceConsumer(ChannelReader<string> invoices) => _invoices = invoices;

                    public async Task RunAsync(CancellationToken cancellationToken)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            var invoice = await _invoices.ReadAsync(cancellationToken);
                            await _printerGate.WaitAsync(cancellationToken);
                            try
                            {
                                Console.WriteLine(invoice);
                            }
                            finally
                            {
                                _printerGate.Release();
                            }

                            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("ReadAsync", "cancellationToken"),
                Verify.Diagnostic("CONC012").WithLocation(1).WithArguments("WaitAsync", "cancellationToken"),
                Verify.Diagnostic("CONC012").WithLocation(2).WithArguments("Delay", "cancellationToken"));
        }

        [Fact]
        public Task Parallel_ForEachAsync_body_gets_its_own_token_not_the_outer_one()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class PageCrawler
                {
                    private readonly HttpClient _http = new HttpClient();

                    public Task CrawlAsync(IEnumerable<string> urls, CancellationToken cancellationToken) =>
                        Parallel.ForEachAsync(urls, cancellationToken, async (url, ct) =>
                        {
                            var html = await {|#0:_http.GetStringAsync(url)|};
                            System.Console.WriteLine(html.Length);
                        });
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class PageCrawler
                {
                    private readonly HttpClient _http = new HttpClient();

                    public Task CrawlAsync(IEnumerable<string> urls, CancellationToken cancellationToken) =>
                        Parallel.ForEachAsync(urls, cancellationToken, async (url, ct) =>
                        {
                            var html = await _http.GetStringAsync(url, ct);
                            System.Console.WriteLine(html.Length);
                        });
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("GetStringAsync", "ct"));
        }

        [Fact]
        public Task A_token_field_and_a_deadline_source_count_as_tokens_in_scope()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class TelemetryUploader
                {
                    private readonly CancellationToken _stopping;

                    public TelemetryUploader(CancellationToken stopping) => _stopping = stopping;

                    public async Task PauseAsync()
                    {
                        await {|#0:Task.Delay(1000)|};
                    }

                    public static async Task<int> ReadHeaderAsync(Stream stream, byte[] header)
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        return await {|#1:stream.ReadAsync(header, 0, header.Length)|};
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class TelemetryUploader
                {
                    private readonly CancellationToken _stopping;

                    public TelemetryUploader(CancellationToken stopping) => _stopping = stopping;

                    public async Task PauseAsync()
                    {
                        await Task.Delay(1000, _stopping);
                    }

                    public static async Task<int> ReadHeaderAsync(Stream stream, byte[] header)
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        return await stream.ReadAsync(header, 0, header.Length, cts.Token);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("Delay", "_stopping"),
                Verify.Diagnostic("CONC012").WithLocation(1).WithArguments("ReadAsync", "cts.Token"));
        }

        [Fact]
        public Task Methods_of_the_project_with_an_optional_token_get_it_positionally_or_by_name()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class OrderArchiver
                {
                    public async Task ArchiveAsync(ChannelReader<string> orders, CancellationToken cancellationToken)
                    {
                        var batch = new List<string>();
                        await foreach (var order in {|#0:orders.ReadAllAsync()|})
                        {
                            batch.Add(order);
                            if (batch.Count == 100)
                            {
                                await {|#1:SaveAsync(batch)|};
                                await {|#2:NotifyAsync("archived", retries: 3)|};
                                batch.Clear();
                            }
                        }
                    }

                    private static Task SaveAsync(List<string> batch, CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);

                    private static Task NotifyAsync(string message, int priority = 0, int retries = 1, CancellationToken cancellationToken = default) => Task.CompletedTask;
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class OrderArchiver
                {
                    public async Task ArchiveAsync(ChannelReader<string> orders, CancellationToken cancellationToken)
                    {
                        var batch = new List<string>();
                        await foreach (var order in orders.ReadAllAsync(cancellationToken))
                        {
                            batch.Add(order);
                            if (batch.Count == 100)
                            {
                                await SaveAsync(batch, cancellationToken);
                                await NotifyAsync("archived", retries: 3, cancellationToken: cancellationToken);
                                batch.Clear();
                            }
                        }
                    }

                    private static Task SaveAsync(List<string> batch, CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);

                    private static Task NotifyAsync(string message, int priority = 0, int retries = 1, CancellationToken cancellationToken = default) => Task.CompletedTask;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("ReadAllAsync", "cancellationToken"),
                Verify.Diagnostic("CONC012").WithLocation(1).WithArguments("SaveAsync", "cancellationToken"),
                Verify.Diagnostic("CONC012").WithLocation(2).WithArguments("NotifyAsync", "cancellationToken"));
        }

        [Fact]
        public Task A_linked_source_declared_after_the_parameter_is_the_token_to_pass_but_an_unlinked_one_is_not()
        {
            const string source = """
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class StockClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetAsync(string url, CancellationToken cancellationToken)
                    {
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        linked.CancelAfter(1000);
                        using var response = await _http.GetAsync(url, linked.Token);
                        return await {|#0:response.Content.ReadAsStringAsync()|};
                    }

                    public async Task PauseAsync(CancellationToken cancellationToken)
                    {
                        using var timed = new CancellationTokenSource(1000);
                        await {|#1:Task.Delay(10)|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class StockClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetAsync(string url, CancellationToken cancellationToken)
                    {
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        linked.CancelAfter(1000);
                        using var response = await _http.GetAsync(url, linked.Token);
                        return await response.Content.ReadAsStringAsync(linked.Token);
                    }

                    public async Task PauseAsync(CancellationToken cancellationToken)
                    {
                        using var timed = new CancellationTokenSource(1000);
                        await Task.Delay(10, cancellationToken);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("ReadAsStringAsync", "linked.Token"),
                Verify.Diagnostic("CONC012").WithLocation(1).WithArguments("Delay", "cancellationToken"));
        }

        [Fact]
        public Task A_primary_constructor_token_is_in_scope_and_a_structs_token_field_is_not_offered_in_a_lambda()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Heartbeat(CancellationToken stopping)
                {
                    public async Task BeatAsync()
                    {
                        await {|#0:Task.Delay(1000)|};
                    }
                }

                public struct Probe
                {
                    private readonly CancellationToken _token;

                    public Probe(CancellationToken token) => _token = token;

                    public Func<Task> Later() => async () => await Task.Delay(10);
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Heartbeat(CancellationToken stopping)
                {
                    public async Task BeatAsync()
                    {
                        await Task.Delay(1000, stopping);
                    }
                }

                public struct Probe
                {
                    private readonly CancellationToken _token;

                    public Probe(CancellationToken token) => _token = token;

                    public Func<Task> Later() => async () => await Task.Delay(10);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("Delay", "stopping"));
        }

        [Fact]
        public Task Task_Run_of_work_that_takes_no_token_gets_the_token()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public static class Thumbnails
                {
                    public static async Task<int> RenderAsync(byte[] image, CancellationToken cancellationToken)
                    {
                        return await {|#0:Task.Run(() => image.Length / 2)|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public static class Thumbnails
                {
                    public static async Task<int> RenderAsync(byte[] image, CancellationToken cancellationToken)
                    {
                        return await Task.Run(() => image.Length / 2, cancellationToken);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC012").WithLocation(0).WithArguments("Run", "cancellationToken"));
        }

        [Fact]
        public Task Tokens_passed_None_on_purpose_cleanup_blocks_and_bounded_waits_are_not_reported()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class ReportWriter
                {
                    private readonly SemaphoreSlim _gate = new SemaphoreSlim(1);

                    public async Task WriteAsync(Stream output, ChannelReader<byte[]> chunks, CancellationToken cancellationToken)
                    {
                        if (!await _gate.WaitAsync(TimeSpan.FromSeconds(1)))
                        {
                            return;
                        }

                        try
                        {
                            await foreach (var chunk in chunks.ReadAllAsync(cancellationToken))
                            {
                                await output.WriteAsync(chunk, 0, chunk.Length, cancellationToken);
                            }

                            // The footer must be written even when the caller gives up.
                            await output.WriteAsync(new byte[] { 0 }, 0, 1, CancellationToken.None);
                        }
                        catch (OperationCanceledException)
                        {
                            await output.FlushAsync();
                            throw;
                        }
                        finally
                        {
                            await output.FlushAsync();
                            _gate.Release();
                        }
                    }

                    public async Task ComputeAsync(CancellationToken cancellationToken)
                    {
                        await Task.Run(() => Crunch(cancellationToken));
                        await Helper();

                        static async Task Helper() => await Task.Delay(10);
                    }

                    private static void Crunch(CancellationToken cancellationToken) => cancellationToken.ThrowIfCancellationRequested();

                    public static async Task<bool> ProbeAsync(Task work, CancellationToken cancellationToken)
                    {
                        var inline = await Task.WhenAny(work, Task.Delay(200)) == work;
                        var timer = Task.Delay(500);
                        return inline && await Task.WhenAny(work, timer) == work;
                    }

                    public static async Task NoTokenHereAsync(TextWriter writer)
                    {
                        await Task.Delay(10);
                        await writer.WriteLineAsync("done");
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_plain_source_that_stops_something_else_is_not_a_token_for_every_call()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class EchoServerTests
                {
                    public async Task Server_answers_after_start()
                    {
                        using var cts = new CancellationTokenSource();
                        var server = RunServerAsync(cts.Token);
                        await Task.Delay(100);
                        cts.Cancel();
                        await server;
                    }

                    private static Task RunServerAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Dropped_Task_Run_is_left_to_CONC010()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class AuditLog
                {
                    public void Record(string entry, CancellationToken cancellationToken)
                    {
                        _ = Task.Run(() => System.Console.WriteLine(entry));
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
