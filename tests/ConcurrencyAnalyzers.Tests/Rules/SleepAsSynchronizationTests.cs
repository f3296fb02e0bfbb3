using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.SleepAsSynchronizationAnalyzer,
    ConcurrencyAnalyzers.Rules.SleepAsSynchronizationCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class SleepAsSynchronizationTests
    {
        [Fact]
        public Task Sleeping_while_a_cache_loads_in_the_background_then_reading_it_awaits_the_load_instead()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class CatalogService
                {
                    private Dictionary<string, decimal> _prices = new();

                    public async Task<int> WarmUpAsync()
                    {
                        var load = {|#1:Task.Run(() => _prices = LoadPrices())|};
                        {|#0:await Task.Delay(500)|};
                        return _prices.Count;
                    }

                    private static Dictionary<string, decimal> LoadPrices() => new() { ["apple"] = 1.2m };
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class CatalogService
                {
                    private Dictionary<string, decimal> _prices = new();

                    public async Task<int> WarmUpAsync()
                    {
                        var load = Task.Run(() => _prices = LoadPrices());
                        await load;
                        return _prices.Count;
                    }

                    private static Dictionary<string, decimal> LoadPrices() => new() { ["apple"] = 1.2m };
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC021").WithLocation(0).WithLocation(1).WithArguments(
                    "Task.Delay",
                    "the Task.Run work started on line 10",
                    "'_prices' is read afterwards without waiting for the work to finish"));
        }

        [Fact]
        public Task Two_worker_threads_that_add_to_a_total_through_a_helper_are_joined()
        {
            const string source = """
                using System;
                using System.Threading;

                public class ReportBuilder
                {
                    private long _total;

                    public long Build(int[] left, int[] right)
                    {
                        var first = new Thread(() => Sum(left));
                        var second = new Thread(() => Sum(right));
                        first.Start();
                        second.Start();
                        [|Thread.Sleep(1000)|];
                        return _total;
                    }

                    private void Sum(int[] values)
                    {
                        foreach (var value in values)
                        {
                            Add(value);
                        }
                    }

                    private void Add(int value) => Interlocked.Add(ref _total, value);
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;

                public class ReportBuilder
                {
                    private long _total;

                    public long Build(int[] left, int[] right)
                    {
                        var first = new Thread(() => Sum(left));
                        var second = new Thread(() => Sum(right));
                        first.Start();
                        second.Start();
                        first.Join();
                        second.Join();
                        return _total;
                    }

                    private void Sum(int[] values)
                    {
                        foreach (var value in values)
                        {
                            Add(value);
                        }
                    }

                    private void Add(int value) => Interlocked.Add(ref _total, value);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Tasks_collected_in_a_list_are_waited_for_all_at_once()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Crawler
                {
                    public IReadOnlyCollection<string> Crawl(IEnumerable<string> urls)
                    {
                        var pages = new ConcurrentBag<string>();
                        var tasks = new List<Task>();
                        foreach (var url in urls)
                        {
                            tasks.Add(Task.Run(() => pages.Add(Fetch(url))));
                        }

                        [|Thread.Sleep(3000)|];
                        return pages;
                    }

                    private static string Fetch(string url) => url;
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Crawler
                {
                    public IReadOnlyCollection<string> Crawl(IEnumerable<string> urls)
                    {
                        var pages = new ConcurrentBag<string>();
                        var tasks = new List<Task>();
                        foreach (var url in urls)
                        {
                            tasks.Add(Task.Run(() => pages.Add(Fetch(url))));
                        }

                        Task.WaitAll(tasks.ToArray());
                        return pages;
                    }

                    private static string Fetch(string url) => url;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_thread_started_without_a_variable_gets_one_so_it_can_be_joined()
        {
            const string source = """
                using System;
                using System.Threading;

                public class Exporter
                {
                    private string? _lastFile;

                    public string? ExportNow()
                    {
                        new Thread(WriteExport) { IsBackground = true }.Start();
                        [|Thread.Sleep(2000)|];
                        return _lastFile;
                    }

                    private void WriteExport() => _lastFile = "export.csv";
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;

                public class Exporter
                {
                    private string? _lastFile;

                    public string? ExportNow()
                    {
                        var thread = new Thread(WriteExport) { IsBackground = true };
                        thread.Start();
                        thread.Join();
                        return _lastFile;
                    }

                    private void WriteExport() => _lastFile = "export.csv";
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task An_async_method_called_without_await_then_slept_on_is_waited_for()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Bootstrapper
                {
                    private bool _configLoaded;

                    public void Start()
                    {
                        _ = LoadConfigAsync();
                        [|Thread.Sleep(250)|];
                        if (!_configLoaded)
                        {
                            throw new InvalidOperationException("config missing");
                        }
                    }

                    private async Task LoadConfigAsync()
                    {
                        await Task.Yield();
                        _configLoaded = true;
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Bootstrapper
                {
                    private bool _configLoaded;

                    public void Start()
                    {
                        var task = LoadConfigAsync();
                        task.Wait();
                        if (!_configLoaded)
                        {
                            throw new InvalidOperationException("config missing");
                        }
                    }

                    private async Task LoadConfigAsync()
                    {
                        await Task.Yield();
                        _configLoaded = true;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Sleeping_at_the_end_of_Main_so_background_work_can_finish_is_replaced_by_a_wait()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public static class Program
                {
                    public static void Main()
                    {
                        Console.WriteLine("starting");
                        {|#1:Task.Run(() => Console.WriteLine("sending report"))|};
                        {|#0:Thread.Sleep(1000)|};
                        Console.WriteLine("done");
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public static class Program
                {
                    public static void Main()
                    {
                        Console.WriteLine("starting");
                        var task = Task.Run(() => Console.WriteLine("sending report"));
                        task.Wait();
                        Console.WriteLine("done");
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC021").WithLocation(0).WithLocation(1).WithArguments(
                    "Thread.Sleep",
                    "the Task.Run work started on line 10",
                    "the program can exit before the work finishes"));
        }

        [Fact]
        public Task Thread_pool_work_items_are_reported_without_a_fix_because_there_is_nothing_to_wait_on()
        {
            const string source = """
                using System;
                using System.Threading;

                public class Indexer
                {
                    private int _indexed;

                    public int IndexAll(string[] documents)
                    {
                        foreach (var document in documents)
                        {
                            ThreadPool.QueueUserWorkItem(_ => Interlocked.Increment(ref _indexed));
                        }

                        [|Thread.Sleep(500)|];
                        return _indexed;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_one_shot_timer_callback_slept_on_is_reported_without_a_fix()
        {
            const string source = """
                using System;
                using System.Threading;

                public class DelayedFlag
                {
                    private volatile bool _fired;

                    public bool FireAndCheck()
                    {
                        using var timer = new Timer(_ => _fired = true, null, 100, Timeout.Infinite);
                        [|Thread.Sleep(200)|];
                        return _fired;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task Fix_all_fixes_each_sleep_on_its_own_work()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Pair
                {
                    private int _a;
                    private int _b;

                    public int First()
                    {
                        Task.Run(() => _a = 1);
                        [|Thread.Sleep(100)|];
                        return _a;
                    }

                    public int Second()
                    {
                        Task.Run(() => _b = 2);
                        [|Thread.Sleep(100)|];
                        return _b;
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Pair
                {
                    private int _a;
                    private int _b;

                    public int First()
                    {
                        var task = Task.Run(() => _a = 1);
                        task.Wait();
                        return _a;
                    }

                    public int Second()
                    {
                        var task = Task.Run(() => _b = 2);
                        task.Wait();
                        return _b;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Threads_kept_in_array_slots_are_joined_in_a_loop()
        {
            const string source = """
                using System.Threading;

                public class ShardedCounter
                {
                    private long _value;
                    public void Increment() => Interlocked.Increment(ref _value);
                    public long Sum() => Interlocked.Read(ref _value);
                }

                public class ShardedCounterCheck
                {
                    public long Run(int workers)
                    {
                        var counter = new ShardedCounter();
                        var threads = new Thread[workers];
                        for (var i = 0; i < threads.Length; i++)
                        {
                            threads[i] = new Thread(() => counter.Increment());
                            threads[i].Start();
                        }

                        [|Thread.Sleep(500)|];
                        return counter.Sum();
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class ShardedCounter
                {
                    private long _value;
                    public void Increment() => Interlocked.Increment(ref _value);
                    public long Sum() => Interlocked.Read(ref _value);
                }

                public class ShardedCounterCheck
                {
                    public long Run(int workers)
                    {
                        var counter = new ShardedCounter();
                        var threads = new Thread[workers];
                        for (var i = 0; i < threads.Length; i++)
                        {
                            threads[i] = new Thread(() => counter.Increment());
                            threads[i].Start();
                        }

                        foreach (var thread in threads) { thread.Join(); }
                        return counter.Sum();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Starting_a_method_of_another_object_then_reading_that_object_waits_for_it()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class EchoServer
                {
                    public bool IsListening { get; private set; }

                    public async Task RunAsync(CancellationToken token)
                    {
                        await Task.Yield();
                        IsListening = true;
                    }
                }

                public class EchoServerCheck
                {
                    public async Task<bool> StartsListeningAsync()
                    {
                        var server = new EchoServer();
                        using var cts = new CancellationTokenSource();
                        _ = server.RunAsync(cts.Token);
                        [|await Task.Delay(200)|];
                        return server.IsListening;
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public class EchoServer
                {
                    public bool IsListening { get; private set; }

                    public async Task RunAsync(CancellationToken token)
                    {
                        await Task.Yield();
                        IsListening = true;
                    }
                }

                public class EchoServerCheck
                {
                    public async Task<bool> StartsListeningAsync()
                    {
                        var server = new EchoServer();
                        using var cts = new CancellationTokenSource();
                        var task = server.RunAsync(cts.Token);
                        await task;
                        return server.IsListening;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Calling_a_method_of_another_object_that_changes_nothing_of_it_is_not_waited_for()
        {
            const string source = """
                using System;
                using System.Threading.Tasks;

                public class Pinger
                {
                    public string Name { get; } = "primary";

                    public async Task PingAsync()
                    {
                        await Task.Yield();
                        Console.WriteLine("ping");
                    }
                }

                public class PingCheck
                {
                    public async Task<string> PingAndNameAsync(Pinger pinger)
                    {
                        _ = pinger.PingAsync();
                        await Task.Delay(100);
                        return pinger.Name;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_one_shot_System_Timers_Timer_is_waited_for_but_a_periodic_one_is_sampled()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Threading.Tasks;
                using System.Timers;

                public class CatchUp
                {
                    public string[] RunOnce()
                    {
                        var ran = new ConcurrentQueue<string>();
                        using var once = new Timer(250) { AutoReset = false };
                        once.Elapsed += (_, _) => ran.Enqueue("nightly");
                        once.Start();
                        [|Task.Delay(1000).Wait()|];
                        return ran.ToArray();
                    }

                    public int Sample()
                    {
                        var ticks = new ConcurrentQueue<int>();
                        using var periodic = new Timer(100);
                        periodic.Elapsed += (_, _) => ticks.Enqueue(1);
                        periodic.Start();
                        Task.Delay(1000).Wait();
                        return ticks.Count;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_retry_backoff_that_started_no_work_is_a_deliberate_pause()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;

                public static class ConfigReader
                {
                    public static string Read(string path)
                    {
                        for (var attempt = 1; ; attempt++)
                        {
                            try
                            {
                                return File.ReadAllText(path);
                            }
                            catch (IOException) when (attempt < 3)
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
        public Task A_CLI_progress_pause_is_a_deliberate_pause()
        {
            const string source = """
                using System;
                using System.Threading;

                public static class Installer
                {
                    public static void Main()
                    {
                        foreach (var step in new[] { "copy", "register", "clean" })
                        {
                            Console.Write(step + "...");
                            Thread.Sleep(300);
                            Console.WriteLine(" ok");
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Work_joined_before_the_sleep_is_not_waited_for_by_it()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Sampler
                {
                    private int _samples;

                    public async Task<int> SampleAsync()
                    {
                        var work = Task.Run(() => _samples = 10);
                        await work;
                        await Task.Delay(100);
                        return _samples;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Reads_that_come_only_after_a_real_wait_are_fine()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Uploader
                {
                    private int _uploaded;

                    public int Upload()
                    {
                        var upload = Task.Run(() => _uploaded++);
                        Thread.Sleep(50); // let the progress bar render
                        upload.Wait();
                        return _uploaded;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Sampling_a_periodic_timer_for_a_while_is_deliberate()
        {
            const string source = """
                using System;
                using System.Threading;

                public static class Metronome
                {
                    public static int CountTicks()
                    {
                        var ticks = 0;
                        using (var timer = new Timer(_ => Interlocked.Increment(ref ticks), null, 0, 100))
                        {
                            Thread.Sleep(1000);
                        }

                        return ticks;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_progress_loop_that_sleeps_while_work_runs_is_not_a_one_off_wait()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Migration
                {
                    private int _done;

                    public void Run(int total)
                    {
                        var work = Task.Run(() => { for (var i = 0; i < total; i++) Interlocked.Increment(ref _done); });
                        while (!work.IsCompleted)
                        {
                            Console.WriteLine($"{_done}/{total}");
                            Thread.Sleep(500);
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Giving_a_server_time_to_start_reads_nothing_it_writes_and_is_left_alone()
        {
            const string source = """
                using System.Net;
                using System.Net.Sockets;
                using System.Threading;
                using System.Threading.Tasks;

                public class EchoServerHarness
                {
                    public void Start(TcpListener listener)
                    {
                        var serving = Task.Run(() => { listener.Start(); listener.AcceptTcpClient(); });
                        Thread.Sleep(500);
                        using var client = new TcpClient();
                        client.Connect(IPAddress.Loopback, 5000);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_sleep_inside_the_started_work_itself_waits_for_nothing_it_started()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Backoff
                {
                    private int _attempts;

                    public Task RetryLater() => Task.Run(() =>
                    {
                        Thread.Sleep(1000);
                        _attempts++;
                    });
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_polling_loop_on_the_flag_is_left_to_CONC022()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Handshake
                {
                    private volatile bool _acknowledged;

                    public void Wait()
                    {
                        Task.Run(() => _acknowledged = true);
                        while (!_acknowledged)
                        {
                            Thread.Sleep(10);
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
