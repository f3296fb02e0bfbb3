using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.TimeoutLeavesWorkRunningAnalyzer,
    ConcurrencyAnalyzers.Rules.TimeoutLeavesWorkRunningCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class TimeoutLeavesWorkRunningTests
    {
        [Fact]
        public Task Quote_request_that_times_out_keeps_running_and_the_fix_links_a_source_and_cancels_it()
        {
            const string source = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class QuoteClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetQuoteAsync(string symbol, TimeSpan timeout, CancellationToken cancellationToken)
                    {
                        var request = _http.GetStringAsync("https://quotes.example/" + symbol, cancellationToken);
                        var winner = await {|#0:Task.WhenAny(request, Task.Delay(timeout))|};
                        if (winner != request)
                        {
                            throw new TimeoutException("No quote for " + symbol + " within " + timeout);
                        }

                        return await request;
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class QuoteClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetQuoteAsync(string symbol, TimeSpan timeout, CancellationToken cancellationToken)
                    {
                        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        var request = _http.GetStringAsync("https://quotes.example/" + symbol, timeoutSource.Token);
                        var winner = await Task.WhenAny(request, Task.Delay(timeout));
                        timeoutSource.Cancel();
                        if (winner != request)
                        {
                            throw new TimeoutException("No quote for " + symbol + " within " + timeout);
                        }

                        return await request;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC014").WithLocation(0).WithArguments("'request'"));
        }

        [Fact]
        public Task WhenAny_in_an_if_condition_is_kept_in_a_local_so_the_cancel_runs_before_the_timeout_branch()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public static class ManifestProbe
                {
                    public static async Task<string?> TryReadAsync(string path)
                    {
                        // Manifests on a network share can hang; give up after half a second.
                        var read = File.ReadAllTextAsync(path);
                        if (await {|#0:Task.WhenAny(read, Task.Delay(500))|} != read)
                        {
                            return null;
                        }

                        return await read;
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public static class ManifestProbe
                {
                    public static async Task<string?> TryReadAsync(string path)
                    {
                        // Manifests on a network share can hang; give up after half a second.
                        using var timeoutSource = new CancellationTokenSource();
                        var read = File.ReadAllTextAsync(path, timeoutSource.Token);
                        var completed = await Task.WhenAny(read, Task.Delay(500));
                        timeoutSource.Cancel();
                        if (completed != read)
                        {
                            return null;
                        }

                        return await read;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC014").WithLocation(0).WithArguments("'read'"));
        }

        [Fact]
        public Task Cancelling_only_the_delay_leaves_the_work_running_and_inline_work_is_rewritten_in_place()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Pinger
                {
                    public async Task<bool> PingAsync(Func<CancellationToken, Task> ping, CancellationToken cancellationToken)
                    {
                        using var delayCts = new CancellationTokenSource();
                        var done = await {|#0:Task.WhenAny(SendAsync(), Task.Delay(1000, delayCts.Token))|};
                        delayCts.Cancel();
                        return done.IsCompletedSuccessfully;
                    }

                    private static Task SendAsync(CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Pinger
                {
                    public async Task<bool> PingAsync(Func<CancellationToken, Task> ping, CancellationToken cancellationToken)
                    {
                        using var delayCts = new CancellationTokenSource();
                        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        var done = await Task.WhenAny(SendAsync(timeoutSource.Token), Task.Delay(1000, delayCts.Token));
                        timeoutSource.Cancel();
                        delayCts.Cancel();
                        return done.IsCompletedSuccessfully;
                    }

                    private static Task SendAsync(CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC014").WithLocation(0).WithArguments("'SendAsync'"));
        }

        [Fact]
        public Task Code_that_reads_the_work_state_after_WhenAny_gets_no_fix()
        {
            const string source = """
                using System;
                using System.Threading.Tasks;

                public static class Warmup
                {
                    public static async Task<int> CountAsync(Func<Task<int>> load)
                    {
                        var work = LoadAsync();
                        await {|#0:Task.WhenAny(work, Task.Delay(100))|};
                        if (work.IsCompleted)
                        {
                            return await work;
                        }

                        throw new TimeoutException();
                    }

                    private static Task<int> LoadAsync(System.Threading.CancellationToken cancellationToken = default) => Task.FromResult(1);
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC014").WithLocation(0).WithArguments("'work'"));
        }

        [Fact]
        public Task Two_timeouts_in_one_method_get_sources_whose_names_do_not_clash()
        {
            const string source = """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public static class Manifests
                {
                    public static async Task<string?> ReadBothAsync(string primary, string fallback, bool preferPrimary)
                    {
                        if (preferPrimary)
                        {
                            var first = File.ReadAllTextAsync(primary);
                            var won = await {|#0:Task.WhenAny(first, Task.Delay(500))|};
                            if (won == first)
                            {
                                return await first;
                            }
                        }

                        var second = File.ReadAllTextAsync(fallback);
                        var done = await {|#1:Task.WhenAny(second, Task.Delay(500))|};
                        return done == second ? await second : null;
                    }
                }
                """;
            const string fixedSource = """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public static class Manifests
                {
                    public static async Task<string?> ReadBothAsync(string primary, string fallback, bool preferPrimary)
                    {
                        if (preferPrimary)
                        {
                            using var timeoutSource = new CancellationTokenSource();
                            var first = File.ReadAllTextAsync(primary, timeoutSource.Token);
                            var won = await Task.WhenAny(first, Task.Delay(500));
                            timeoutSource.Cancel();
                            if (won == first)
                            {
                                return await first;
                            }
                        }

                        using var timeoutSource2 = new CancellationTokenSource();
                        var second = File.ReadAllTextAsync(fallback, timeoutSource2.Token);
                        var done = await Task.WhenAny(second, Task.Delay(500));
                        timeoutSource2.Cancel();
                        return done == second ? await second : null;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC014").WithLocation(0).WithArguments("'first'"),
                Verify.Diagnostic("CONC014").WithLocation(1).WithArguments("'second'"));
        }

        [Fact]
        public Task A_TimeoutAfter_helper_cannot_stop_the_task_it_is_handed_and_has_no_fix()
        {
            const string source = """
                using System;
                using System.Threading.Tasks;

                public static class TaskTimeouts
                {
                    public static async Task<T> TimeoutAfter<T>(this Task<T> task, TimeSpan timeout)
                    {
                        if (await {|#0:Task.WhenAny(task, Task.Delay(timeout))|} == task)
                        {
                            return await task;
                        }

                        throw new TimeoutException();
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC014").WithLocation(0).WithArguments("'task'"));
        }

        [Fact]
        public Task Timeouts_that_cancel_the_work_keep_it_or_wait_for_it_are_not_reported()
        {
            const string source = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Replicas
                {
                    private readonly HttpClient _http = new HttpClient();
                    private Task<string>? _warming;

                    public async Task<string?> CancelAfterWhenAnyAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
                    {
                        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        var request = _http.GetStringAsync(url, cts.Token);
                        var delay = Task.Delay(timeout, cts.Token);
                        var winner = await Task.WhenAny(request, delay);
                        cts.Cancel();
                        return winner == request ? await request : null;
                    }

                    public async Task<string?> OuterCancelledAsync(string url, CancellationToken cancellationToken)
                    {
                        using var outer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        using var inner = CancellationTokenSource.CreateLinkedTokenSource(outer.Token);
                        var request = _http.GetStringAsync(url, inner.Token);
                        var winner = await Task.WhenAny(request, Task.Delay(1000));
                        outer.Cancel();
                        return winner == request ? await request : null;
                    }

                    public async Task<string?> SelfTimedAsync(string url)
                    {
                        using var cts = new CancellationTokenSource();
                        cts.CancelAfter(TimeSpan.FromSeconds(2));
                        var request = _http.GetStringAsync(url, cts.Token);
                        if (await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(1))) != request)
                        {
                            return null;
                        }

                        return await request;
                    }

                    public async Task<string> SlowLogAsync(string url)
                    {
                        var request = _http.GetStringAsync(url);
                        if (await Task.WhenAny(request, Task.Delay(200)) != request)
                        {
                            Console.WriteLine("slow: " + url);
                        }

                        return await request;
                    }

                    public async Task<bool> WarmAsync(string url)
                    {
                        var warming = _http.GetStringAsync(url);
                        _warming = warming;
                        return await Task.WhenAny(warming, Task.Delay(100)) == warming;
                    }

                    public async Task<string> FastestAsync(string a, string b)
                    {
                        var first = await Task.WhenAny(_http.GetStringAsync(a), _http.GetStringAsync(b));
                        return await first;
                    }

                    public async Task<string> WarnIfSlowAsync(string url)
                    {
                        var init = _http.GetStringAsync(url);
                        if (await Task.WhenAny(init, Task.Delay(5000)) == init)
                        {
                            return await init;
                        }

                        Console.WriteLine("slow start: " + url);
                        return await init;
                    }

                    public async Task<string> ProgressAsync(string url)
                    {
                        var download = _http.GetStringAsync(url);
                        while (await Task.WhenAny(download, Task.Delay(1000)) != download)
                        {
                            Console.WriteLine("still downloading " + url);
                        }

                        return await download;
                    }

                    public async Task<bool> FieldAsync()
                    {
                        var field = _warming;
                        return field is not null && await Task.WhenAny(_warming!, Task.Delay(10)) == _warming;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
