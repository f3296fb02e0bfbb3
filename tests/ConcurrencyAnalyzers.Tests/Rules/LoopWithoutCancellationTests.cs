using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.LoopWithoutCancellationAnalyzer,
    ConcurrencyAnalyzers.Rules.LoopWithoutCancellationCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class LoopWithoutCancellationTests
    {
        private const string HostingShim = """

            public abstract class BackgroundService
            {
                protected abstract System.Threading.Tasks.Task ExecuteAsync(System.Threading.CancellationToken stoppingToken);
            }
            """;

        [Fact]
        public Task Poller_on_Task_Run_ignores_the_token_in_scope_and_the_fix_checks_it_and_passes_it_on()
        {
            const string source = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class ConfigPoller
                {
                    private readonly HttpClient _http = new HttpClient();
                    public string? Current { get; private set; }

                    public Task Start(CancellationToken cancellationToken)
                    {
                        return Task.Run(async () =>
                        {
                            {|#0:while|} (true)
                            {
                                Current = await _http.GetStringAsync("https://config.example/app.json");
                                await Task.Delay(TimeSpan.FromSeconds(30));
                            }
                        });
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class ConfigPoller
                {
                    private readonly HttpClient _http = new HttpClient();
                    public string? Current { get; private set; }

                    public Task Start(CancellationToken cancellationToken)
                    {
                        return Task.Run(async () =>
                        {
                            while (!cancellationToken.IsCancellationRequested)
                            {
                                Current = await _http.GetStringAsync("https://config.example/app.json", cancellationToken);
                                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
                            }
                        });
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("the Task.Run work"));
        }

        [Fact]
        public Task Hosted_service_loop_that_never_looks_at_stoppingToken_is_fixed_to_use_it()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class HeartbeatService : BackgroundService
                {
                    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                    {
                        {|#0:for|} (;;)
                        {
                            Console.WriteLine("alive " + DateTime.UtcNow);
                            await Task.Delay(10_000);
                        }
                    }
                }
                """ + HostingShim;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class HeartbeatService : BackgroundService
                {
                    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                    {
                        for (; !stoppingToken.IsCancellationRequested;)
                        {
                            Console.WriteLine("alive " + DateTime.UtcNow);
                            await Task.Delay(10_000, stoppingToken);
                        }
                    }
                }
                """ + HostingShim;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("'ExecuteAsync'"));
        }

        [Fact]
        public Task Pump_started_without_await_in_another_file_gets_an_optional_token_parameter_and_its_caller_still_compiles()
        {
            const string worker = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading.Tasks;

                internal sealed class MailPump
                {
                    private readonly ConcurrentQueue<string> _outbox = new ConcurrentQueue<string>();

                    public void Enqueue(string mail) => _outbox.Enqueue(mail);

                    internal async Task PumpAsync()
                    {
                        {|#0:while|} (true)
                        {
                            while (_outbox.TryDequeue(out var mail))
                            {
                                Console.WriteLine("sending " + mail);
                            }

                            await Task.Delay(500);
                        }
                    }
                }
                """;
            const string host = """
                internal static class Startup
                {
                    public static MailPump Start()
                    {
                        var pump = new MailPump();
                        _ = pump.PumpAsync();
                        return pump;
                    }
                }
                """;
            const string fixedWorker = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading;
                using System.Threading.Tasks;

                internal sealed class MailPump
                {
                    private readonly ConcurrentQueue<string> _outbox = new ConcurrentQueue<string>();

                    public void Enqueue(string mail) => _outbox.Enqueue(mail);

                    internal async Task PumpAsync(CancellationToken cancellationToken = default)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            while (_outbox.TryDequeue(out var mail))
                            {
                                Console.WriteLine("sending " + mail);
                            }

                            await Task.Delay(500, cancellationToken);
                        }
                    }
                }
                """;
            var test = new Verify.Test();
            test.TestState.Sources.Add(("MailPump.cs", worker));
            test.TestState.Sources.Add(("Startup.cs", host));
            test.FixedState.Sources.Add(("MailPump.cs", fixedWorker));
            test.FixedState.Sources.Add(("Startup.cs", host));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("'PumpAsync', which runs in the background,"));
            return test.RunAsync();
        }

        [Fact]
        public Task On_a_public_method_the_added_parameter_is_a_separate_action()
        {
            const string source = """
                using System;
                using System.Threading.Tasks;

                public sealed class DiskWatcher
                {
                    public void Start() => Task.Run(() => Watch());

                    public void Watch()
                    {
                        {|#0:do|}
                        {
                            Console.WriteLine(Environment.WorkingSet);
                            Task.Delay(1000).Wait();
                        }
                        while (true);
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class DiskWatcher
                {
                    public void Start() => Task.Run(() => Watch());

                    public void Watch(CancellationToken cancellationToken = default)
                    {
                        do
                        {
                            Console.WriteLine(Environment.WorkingSet);
                            Task.Delay(1000).Wait();
                        }
                        while (!cancellationToken.IsCancellationRequested);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, "LoopWithoutCancellationCodeFix.AddPublicParameter",
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("'Watch', which runs in the background,"));
        }

        [Fact]
        public Task On_a_raw_thread_only_the_condition_changes_so_no_cancellation_exception_escapes_the_thread()
        {
            const string source = """
                using System;
                using System.Threading;

                public sealed class JournalFlusher
                {
                    private readonly ManualResetEventSlim _dirty = new ManualResetEventSlim();
                    private readonly CancellationToken _stopping;

                    public JournalFlusher(CancellationToken stopping)
                    {
                        _stopping = stopping;
                        new Thread(() =>
                        {
                            {|#0:while|} (true)
                            {
                                _dirty.Wait();
                                _dirty.Reset();
                                Console.WriteLine("flush");
                            }
                        }).Start();
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;

                public sealed class JournalFlusher
                {
                    private readonly ManualResetEventSlim _dirty = new ManualResetEventSlim();
                    private readonly CancellationToken _stopping;

                    public JournalFlusher(CancellationToken stopping)
                    {
                        _stopping = stopping;
                        new Thread(() =>
                        {
                            while (!stopping.IsCancellationRequested)
                            {
                                _dirty.Wait();
                                _dirty.Reset();
                                Console.WriteLine("flush");
                            }
                        }).Start();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("the thread"));
        }

        [Fact]
        public Task A_loop_whose_function_returns_a_value_gets_no_fix_because_its_end_would_become_reachable()
        {
            const string source = """
                using System.Threading.Tasks;

                internal sealed class Sampler
                {
                    public void Start() => _ = SampleAsync();

                    private async Task<int> SampleAsync()
                    {
                        {|#0:while|} (true)
                        {
                            await Task.Delay(100);
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("'SampleAsync', which runs in the background,"));
        }

        [Fact]
        public Task A_method_called_inside_an_expression_tree_gets_no_added_parameter()
        {
            const string source = """
                using System;
                using System.Linq.Expressions;
                using System.Threading.Tasks;

                internal sealed class Jobs
                {
                    public static Expression<Action> Scheduled = () => new Jobs().Drain();

                    public void Start() => Task.Run(() => Drain());

                    internal void Drain()
                    {
                        {|#0:for|} (;;)
                        {
                            Console.WriteLine("drain");
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("'Drain', which runs in the background,"));
        }

        [Fact]
        public Task A_synchronous_Task_Run_loop_is_fixed_even_though_its_lambda_first_binds_as_returning_a_task()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class QueueGauge
                {
                    public Task Start(CancellationToken token) => Task.Run(() =>
                    {
                        {|#0:while|} (true)
                        {
                            Sample();
                            Thread.Sleep(100);
                        }
                    });

                    private static void Sample() => System.Console.WriteLine(System.Environment.TickCount64);
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class QueueGauge
                {
                    public Task Start(CancellationToken token) => Task.Run(() =>
                    {
                        while (!token.IsCancellationRequested)
                        {
                            Sample();
                            Thread.Sleep(100);
                        }
                    });

                    private static void Sample() => System.Console.WriteLine(System.Environment.TickCount64);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("the Task.Run work"));
        }

        [Fact]
        public Task Fix_All_adds_the_parameter_once_and_the_second_loop_uses_it()
        {
            const string source = """
                using System.Threading.Tasks;

                internal sealed class Pumps
                {
                    public void Start() => _ = RunAsync();

                    private async Task RunAsync()
                    {
                        var inbound = Task.Run(async () => { {|#0:while|} (true) { await Task.Delay(10); } });
                        var outbound = Task.Run(async () => { {|#1:while|} (true) { await Task.Delay(20); } });
                        await Task.WhenAll(inbound, outbound);
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                internal sealed class Pumps
                {
                    public void Start() => _ = RunAsync();

                    private async Task RunAsync(CancellationToken cancellationToken = default)
                    {
                        var inbound = Task.Run(async () => { while (!cancellationToken.IsCancellationRequested) { await Task.Delay(10, cancellationToken); } });
                        var outbound = Task.Run(async () => { while (!cancellationToken.IsCancellationRequested) { await Task.Delay(20, cancellationToken); } });
                        await Task.WhenAll(inbound, outbound);
                    }
                }
                """;
            var test = new Verify.Test
            {
                TestCode = source,
                FixedCode = fixedSource,
                NumberOfIncrementalIterations = 2,
                NumberOfFixAllIterations = 1,
            };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("the Task.Run work"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC011").WithLocation(1).WithArguments("the Task.Run work"));
            return test.RunAsync();
        }

        [Fact]
        public Task A_thread_method_group_cannot_take_a_parameter_so_there_is_no_fix()
        {
            const string source = """
                using System;
                using System.Threading;

                public sealed class SerialReader
                {
                    private readonly Thread _thread;

                    public SerialReader()
                    {
                        _thread = new Thread(ReadLoop) { IsBackground = true };
                        _thread.Start();
                    }

                    private void ReadLoop()
                    {
                        {|#0:while|} (true)
                        {
                            Console.WriteLine(Console.In.Peek());
                            Thread.Sleep(10);
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC011").WithLocation(0).WithArguments("'ReadLoop', which runs in the background,"));
        }

        [Fact]
        public Task Loops_with_a_way_out_and_loops_that_do_not_run_in_the_background_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class Consumers : BackgroundService
                {
                    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();
                    private readonly BlockingCollection<int> _queue = new BlockingCollection<int>();
                    private readonly CancellationTokenSource _stop = new CancellationTokenSource();

                    public void Start(CancellationToken token)
                    {
                        Task.Run(async () => { while (true) { await Task.Delay(1000, token); } });
                        Task.Run(() => { while (true) { token.ThrowIfCancellationRequested(); } });
                        Task.Run(async () => { while (true) { var item = await _channel.Reader.ReadAsync(); Console.WriteLine(item); } });
                        Task.Run(async () =>
                        {
                            while (true)
                            {
                                if (!await _channel.Reader.WaitToReadAsync())
                                {
                                    break;
                                }

                                _channel.Reader.TryRead(out _);
                            }
                        });
                        Task.Run(async () =>
                        {
                            while (true)
                            {
                                try
                                {
                                    Console.WriteLine(await _channel.Reader.ReadAsync());
                                }
                                catch (ChannelClosedException)
                                {
                                    return;
                                }
                            }
                        });
                        new Thread(() => { while (true) { Console.WriteLine(_queue.Take()); } }).Start();
                        Task.Run(() => { while (!_stop.IsCancellationRequested) { Thread.SpinWait(10); } });
                    }

                    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                    {
                        while (true)
                        {
                            await Task.Delay(1000, stoppingToken);
                        }
                    }

                    public static async Task Main()
                    {
                        await RunForegroundAsync();
                        RunForegroundAsync().GetAwaiter().GetResult();
                    }

                    private static async Task RunForegroundAsync()
                    {
                        while (true)
                        {
                            Console.WriteLine(Console.ReadLine());
                            await Task.Yield();
                        }
                    }

                    private static void Spin()
                    {
                        while (true)
                        {
                            Console.WriteLine("forever, but called on the caller's own thread");
                        }
                    }

                    public static void Run() => Spin();
                }
                """ + HostingShim;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
