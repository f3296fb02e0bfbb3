using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.FireAndForgetAnalyzer,
    ConcurrencyAnalyzers.Rules.FireAndForgetCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class FireAndForgetTests
    {
        [Fact]
        public Task Worker_drops_its_pump_and_the_fix_hands_it_the_stopping_token()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class MetricsFlusher
                {
                    public void Start(CancellationToken stoppingToken)
                    {
                        _ = {|#0:PumpAsync()|};
                    }

                    private async Task PumpAsync(CancellationToken cancellationToken = default)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            await Task.Delay(1000, cancellationToken);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class MetricsFlusher
                {
                    public void Start(CancellationToken stoppingToken)
                    {
                        _ = PumpAsync(stoppingToken);
                    }

                    private async Task PumpAsync(CancellationToken cancellationToken = default)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            await Task.Delay(1000, cancellationToken);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The 'PumpAsync'"));
        }

        [Fact]
        public Task Cache_refresh_on_Task_Run_gets_the_token_inside_the_delegate_and_on_Task_Run()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class RateCache
                {
                    private readonly HttpClient _http = new HttpClient();
                    private readonly ConcurrentDictionary<string, string> _rates = new ConcurrentDictionary<string, string>();

                    public string? Get(string currency, CancellationToken cancellationToken)
                    {
                        if (!_rates.TryGetValue(currency, out var rate))
                        {
                            {|#0:Task.Run(async () => _rates[currency] = await _http.GetStringAsync("https://rates.example/" + currency))|};
                        }

                        return rate;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class RateCache
                {
                    private readonly HttpClient _http = new HttpClient();
                    private readonly ConcurrentDictionary<string, string> _rates = new ConcurrentDictionary<string, string>();

                    public string? Get(string currency, CancellationToken cancellationToken)
                    {
                        if (!_rates.TryGetValue(currency, out var rate))
                        {
                            Task.Run(async () => _rates[currency] = await _http.GetStringAsync("https://rates.example/" + currency, cancellationToken), cancellationToken);
                        }

                        return rate;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The Task.Run work"));
        }

        [Fact]
        public Task Without_a_token_in_scope_the_chosen_fix_awaits_the_work_it_dropped()
        {
            const string source = """
                using System.IO;
                using System.Threading.Tasks;

                public sealed class LogRotation
                {
                    public async Task RotateAsync(string path)
                    {
                        File.Move(path, path + ".1", overwrite: true);
                        _ = {|#0:Task.Run(() => Compress(path + ".1"))|};
                        await File.WriteAllTextAsync(path, string.Empty);
                    }

                    private static void Compress(string path) => File.Delete(path);
                }
                """;
            const string fixedSource = """
                using System.IO;
                using System.Threading.Tasks;

                public sealed class LogRotation
                {
                    public async Task RotateAsync(string path)
                    {
                        File.Move(path, path + ".1", overwrite: true);
                        await Task.Run(() => Compress(path + ".1"));
                        await File.WriteAllTextAsync(path, string.Empty);
                    }

                    private static void Compress(string path) => File.Delete(path);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The Task.Run work"));
        }

        [Fact]
        public Task The_fix_does_not_offer_a_hosted_services_StartAsync_token_which_only_aborts_the_start()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public interface IHostedService
                {
                    Task StartAsync(CancellationToken cancellationToken);
                    Task StopAsync(CancellationToken cancellationToken);
                }

                public sealed class OutboxRelay : IHostedService
                {
                    public Task StartAsync(CancellationToken cancellationToken)
                    {
                        _ = {|#0:RelayAsync()|};
                        _ = {|#1:Task.Run(() => RelayAsync())|};

                        // Warm-up gives up if the start is abandoned: passing the start token is a decision.
                        _ = WarmUpAsync(cancellationToken);
                        return Task.CompletedTask;
                    }

                    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

                    private static Task WarmUpAsync(CancellationToken token) => Task.Delay(10, token);

                    private static async Task RelayAsync(CancellationToken token = default)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            await Task.Delay(1000, token);
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The 'RelayAsync'"),
                Verify.Diagnostic("CONC010").WithLocation(1).WithArguments("The Task.Run work"));
        }

        [Fact]
        public Task The_await_action_is_there_to_choose_when_a_token_is_in_scope_too()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Indexer
                {
                    public async Task ReindexAsync(CancellationToken cancellationToken)
                    {
                        _ = {|#0:RebuildAsync()|};
                        await Task.Delay(10, cancellationToken);
                    }

                    private static Task RebuildAsync(CancellationToken cancellationToken = default) => Task.Delay(100, cancellationToken);
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Indexer
                {
                    public async Task ReindexAsync(CancellationToken cancellationToken)
                    {
                        await RebuildAsync();
                        await Task.Delay(10, cancellationToken);
                    }

                    private static Task RebuildAsync(CancellationToken cancellationToken = default) => Task.Delay(100, cancellationToken);
                }
                """;
            var test = new Verify.Test
            {
                TestCode = source,
                FixedCode = fixedSource,
                CodeActionEquivalenceKey = "FireAndForgetCodeFix.Await",
                CodeActionIndex = 1,
            };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The 'RebuildAsync'"));
            return test.RunAsync();
        }

        [Fact]
        public Task Work_dropped_by_an_expression_bodied_lambda_is_reported_but_not_awaited_in_the_outer_method()
        {
            const string source = """
                using System.Threading.Tasks;

                public sealed class Flusher
                {
                    private readonly System.Timers.Timer _timer = new System.Timers.Timer(1000);

                    public async Task StartAsync()
                    {
                        _timer.Elapsed += (sender, e) => {|#0:Task.Run(() => Flush())|};
                        _timer.Start();
                        await Task.Yield();
                    }

                    private static void Flush() => System.Console.WriteLine("flush");
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The Task.Run work"));
        }

        [Fact]
        public Task Long_running_StartNew_in_a_synchronous_method_with_no_token_has_no_fix()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Threading.Tasks;

                public sealed class LegacyImporter
                {
                    private readonly BlockingCollection<string> _files = new BlockingCollection<string>();

                    public void Start()
                    {
                        {|#0:Task.Factory.StartNew(() =>
                        {
                            foreach (var file in _files.GetConsumingEnumerable())
                            {
                                System.Console.WriteLine(file);
                            }
                        }, TaskCreationOptions.LongRunning)|};
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("The StartNew work"));
        }

        [Fact]
        public Task Async_lambdas_given_to_ForEach_and_Parallel_ForEach_become_async_void()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Net.Http;
                using System.Threading.Tasks;

                public sealed class WebhookNotifier
                {
                    private readonly HttpClient _http = new HttpClient();

                    public void NotifyAll(List<string> urls)
                    {
                        urls.ForEach({|#0:async|} url => await _http.PostAsync(url, null));
                    }

                    public void NotifyAllInParallel(IEnumerable<string> urls)
                    {
                        Parallel.ForEach(urls, {|#1:async|} url =>
                        {
                            using var response = await _http.PostAsync(url, null);
                        });
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC010").WithLocation(0).WithArguments("the Action 'action' of List.ForEach"),
                Verify.Diagnostic("CONC010").WithLocation(1).WithArguments("the Action 'body' of Parallel.ForEach"));
        }

        [Fact]
        public Task Kept_awaited_tracked_or_cancellable_work_is_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class ExportService : IDisposable
                {
                    private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
                    private readonly List<Task> _inFlight = new List<Task>();
                    private readonly Channel<string> _log = Channel.CreateUnbounded<string>();
                    private Task? _loop;
                    public event EventHandler? Exported;

                    public Task StartAsync(CancellationToken cancellationToken)
                    {
                        _loop = Task.Run(() => LoopAsync(_stopping.Token));
                        _ = WatchAsync(_stopping.Token);
                        _ = WarmAsync(CancellationToken.None);
                        _ = Task.Run(() => LoopAsync(cancellationToken));
                        _ = PollAsync();
                        _inFlight.Add(Task.Run(() => Console.WriteLine("tracked")));
                        _ = _log.Writer.WriteAsync("started").AsTask();
                        Task.Run(() => Console.WriteLine("x")).ContinueWith(t => Console.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
                        Exported += async (sender, e) => await Task.Yield();
                        return Task.CompletedTask;
                    }

                    public async Task StopAsync()
                    {
                        _stopping.Cancel();
                        if (_loop is not null)
                        {
                            await _loop;
                        }

                        await Task.WhenAll(_inFlight);
                        await Task.Run(() => Console.WriteLine("stopped"));
                    }

                    private static async Task LoopAsync(CancellationToken token) => await Task.Delay(Timeout.Infinite, token);
                    private static Task WatchAsync(CancellationToken token) => Task.Delay(100, token);
                    private static Task WarmAsync(CancellationToken token) => Task.CompletedTask;

                    private async Task PollAsync()
                    {
                        while (!_stopping.IsCancellationRequested)
                        {
                            await Task.Delay(1000);
                        }
                    }

                    public void Dispose() => _stopping.Dispose();
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
