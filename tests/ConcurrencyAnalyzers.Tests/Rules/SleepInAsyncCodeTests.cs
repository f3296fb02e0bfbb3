using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.SleepInAsyncCodeAnalyzer,
    ConcurrencyAnalyzers.Rules.SleepInAsyncCodeCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class SleepInAsyncCodeTests
    {
        [Fact]
        public Task Retry_backoff_in_async_method_blocks_the_thread_and_is_rewritten_to_await_Task_Delay()
        {
            const string source = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public class PriceClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetPriceAsync(string symbol)
                    {
                        for (var attempt = 1; ; attempt++)
                        {
                            try
                            {
                                return await _http.GetStringAsync("https://prices.example/" + symbol);
                            }
                            catch (HttpRequestException) when (attempt < 3)
                            {
                                {|#0:Thread.Sleep(200 * attempt)|};
                            }
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public class PriceClient
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<string> GetPriceAsync(string symbol)
                    {
                        for (var attempt = 1; ; attempt++)
                        {
                            try
                            {
                                return await _http.GetStringAsync("https://prices.example/" + symbol);
                            }
                            catch (HttpRequestException) when (attempt < 3)
                            {
                                await Task.Delay(200 * attempt);
                            }
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC020").WithLocation(0).WithArguments("async method 'GetPriceAsync'"));
        }

        [Fact]
        public Task The_fix_passes_the_cancellation_token_parameter_in_scope()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class HeartbeatSender
                {
                    public async Task RunAsync(Func<Task> beat, CancellationToken cancellationToken)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            await beat();
                            [|Thread.Sleep(TimeSpan.FromSeconds(5))|];
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class HeartbeatSender
                {
                    public async Task RunAsync(Func<Task> beat, CancellationToken cancellationToken)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            await beat();
                            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_lambda_uses_its_own_token_before_the_outer_one()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Importer
                {
                    public Task ImportAllAsync(IEnumerable<string> files, CancellationToken shutdown) =>
                        Parallel.ForEachAsync(files, shutdown, async (file, token) =>
                        {
                            [|Thread.Sleep(50)|];
                            await Task.Yield();
                        });
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Importer
                {
                    public Task ImportAllAsync(IEnumerable<string> files, CancellationToken shutdown) =>
                        Parallel.ForEachAsync(files, shutdown, async (file, token) =>
                        {
                            await Task.Delay(50, token);
                            await Task.Yield();
                        });
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task An_async_lambda_handed_to_Task_Run_captures_the_token_of_the_method_around_it()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Warmup
                {
                    public Task StartAsync(CancellationToken stoppingToken)
                    {
                        return Task.Run(async () =>
                        {
                            [|Thread.Sleep(1000)|];
                            await LoadCachesAsync();
                        });
                    }

                    private static Task LoadCachesAsync() => Task.CompletedTask;
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Warmup
                {
                    public Task StartAsync(CancellationToken stoppingToken)
                    {
                        return Task.Run(async () =>
                        {
                            await Task.Delay(1000, stoppingToken);
                            await LoadCachesAsync();
                        });
                    }

                    private static Task LoadCachesAsync() => Task.CompletedTask;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task The_fix_adds_the_tasks_namespace_when_the_file_does_not_import_it()
        {
            const string source = """
                using System;
                using System.Threading;

                public class RefreshButton
                {
                    public async void OnClick(object sender, EventArgs e)
                    {
                        [|Thread.Sleep(300)|];
                        await System.Threading.Tasks.Task.Yield();
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class RefreshButton
                {
                    public async void OnClick(object sender, EventArgs e)
                    {
                        await Task.Delay(300);
                        await System.Threading.Tasks.Task.Yield();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Fix_all_rewrites_every_sleep_in_the_document()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Poller
                {
                    public async Task FirstAsync(CancellationToken ct)
                    {
                        [|Thread.Sleep(10)|];
                        await Task.Yield();
                        [|Thread.Sleep(20)|];
                    }

                    public async ValueTask SecondAsync()
                    {
                        await Task.Yield();
                        [|Thread.Sleep(30)|];
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Poller
                {
                    public async Task FirstAsync(CancellationToken ct)
                    {
                        await Task.Delay(10, ct);
                        await Task.Yield();
                        await Task.Delay(20, ct);
                    }

                    public async ValueTask SecondAsync()
                    {
                        await Task.Yield();
                        await Task.Delay(30);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_task_returning_method_that_is_not_async_is_reported_but_not_rewritten()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class LegacyStore
                {
                    public Task SaveAsync(string key)
                    {
                        {|#0:Thread.Sleep(100)|};
                        return Task.CompletedTask;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC020").WithLocation(0).WithArguments("task-returning method 'SaveAsync'"));
        }

        [Fact]
        public Task A_sleep_under_a_lock_is_reported_but_not_rewritten_because_await_is_not_allowed_there()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Throttle
                {
                    private readonly object _gate = new object();

                    public async Task PassAsync()
                    {
                        await Task.Yield();
                        lock (_gate)
                        {
                            [|Thread.Sleep(5)|];
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task An_async_iterator_is_async_code()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Ticker
                {
                    public async IAsyncEnumerable<int> TicksAsync()
                    {
                        for (var i = 0; i < 3; i++)
                        {
                            [|Thread.Sleep(1000)|];
                            yield return i;
                        }
                        await Task.CompletedTask;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Ticker
                {
                    public async IAsyncEnumerable<int> TicksAsync()
                    {
                        for (var i = 0; i < 3; i++)
                        {
                            await Task.Delay(1000);
                            yield return i;
                        }
                        await Task.CompletedTask;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Sleeping_in_synchronous_code_is_not_this_rule()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;

                public static class FileReplacer
                {
                    // A deliberate backoff in synchronous code: no async caller is blocked.
                    public static void ReplaceWithRetry(string source, string target)
                    {
                        for (var attempt = 0; attempt < 5; attempt++)
                        {
                            try
                            {
                                File.Move(source, target, overwrite: true);
                                return;
                            }
                            catch (IOException)
                            {
                                Thread.Sleep(100 * attempt);
                            }
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_synchronous_lambda_inside_an_async_method_is_synchronous_code()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Worker
                {
                    public async Task RunAsync()
                    {
                        // The delegate is a plain Action running on its own pool thread: not async code.
                        await Task.Run(() =>
                        {
                            Thread.Sleep(100);
                        });
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Yielding_with_Sleep_zero_and_awaiting_Task_Delay_are_fine()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Spinner
                {
                    public async Task SpinAsync(CancellationToken token)
                    {
                        Thread.Sleep(0);
                        await Task.Delay(10, token);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_Sleep_method_on_another_type_is_not_Thread_Sleep()
        {
            const string source = """
                using System.Threading.Tasks;

                public static class Clock
                {
                    public static void Sleep(int milliseconds) { }
                }

                public class Job
                {
                    public async Task RunAsync()
                    {
                        Clock.Sleep(100);
                        await Task.Yield();
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
