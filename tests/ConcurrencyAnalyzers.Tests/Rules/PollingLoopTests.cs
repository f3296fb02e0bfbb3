using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.PollingLoopAnalyzer,
    ConcurrencyAnalyzers.Rules.PollingLoopCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class PollingLoopTests
    {
        [Fact]
        public Task Polling_a_private_ready_flag_becomes_a_ManualResetEventSlim_set_where_the_flag_is_set()
        {
            const string source = """
                using System.Threading;

                public class ConnectionPool
                {
                    private volatile bool _warmedUp;

                    public void WarmUp()
                    {
                        // ... open connections ...
                        _warmedUp = true;
                    }

                    public void WaitUntilReady()
                    {
                        {|#0:while|} (!{|#1:_warmedUp|})
                        {
                            Thread.Sleep(10);
                        }
                    }

                    public bool IsReady => _warmedUp;
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class ConnectionPool
                {
                    private volatile bool _warmedUp;
                    private readonly ManualResetEventSlim _warmedUpSignal = new ManualResetEventSlim(false);

                    public void WarmUp()
                    {
                        // ... open connections ...
                        _warmedUp = true;
                        _warmedUpSignal.Set();
                    }

                    public void WaitUntilReady()
                    {
                        _warmedUpSignal.Wait();
                    }

                    public bool IsReady => _warmedUp;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC022").WithLocation(0).WithLocation(1).WithArguments(
                    "'_warmedUp'",
                    "wait on a ManualResetEventSlim or TaskCompletionSource that the writer sets instead"));
        }

        [Fact]
        public Task A_flag_also_set_in_an_expression_bodied_member_is_reported_without_a_fix()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public static class Migrations
                {
                    private static bool s_applied;

                    public static void MarkApplied() => Volatile.Write(ref s_applied, true);

                    public static void Apply()
                    {
                        Volatile.Write(ref s_applied, true);
                    }

                    public static async Task WaitForMigrationsAsync()
                    {
                        [|while|] (!Volatile.Read(ref s_applied))
                        {
                            await Task.Delay(100);
                        }
                    }
                }
                """;
            // MarkApplied's expression body is not a statement the signal can be set next to, so no fix.
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task An_async_poll_on_a_flag_set_in_statements_awaits_a_TaskCompletionSource()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Leader
                {
                    private static bool s_elected;

                    public void OnElected()
                    {
                        Volatile.Write(ref s_elected, true);
                    }

                    public async Task WaitForElectionAsync()
                    {
                        [|while|] (!Volatile.Read(ref s_elected))
                        {
                            await Task.Delay(100);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Leader
                {
                    private static readonly TaskCompletionSource s_electedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

                    public void OnElected()
                    {
                        s_electedSignal.TrySetResult();
                    }

                    public async Task WaitForElectionAsync()
                    {
                        await s_electedSignal.Task;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Polling_task_IsCompleted_becomes_a_wait_on_the_task()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Shutdown
                {
                    public void Drain(Task flushing)
                    {
                        [|while|] (!flushing.IsCompleted)
                            Thread.Sleep(25);
                    }

                    public async Task DrainAsync(Task flushing)
                    {
                        [|while|] (flushing.IsCompleted == false)
                        {
                            await Task.Delay(25);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Shutdown
                {
                    public void Drain(Task flushing)
                    {
                        flushing.Wait();
                    }

                    public async Task DrainAsync(Task flushing)
                    {
                        await flushing;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Polling_thread_IsAlive_becomes_Join()
        {
            const string source = """
                using System.Threading;

                public class Encoder
                {
                    public void EncodeAndWait(Thread encoder)
                    {
                        encoder.Start();
                        [|do|]
                        {
                            Thread.Sleep(100);
                        }
                        while (encoder.IsAlive);
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class Encoder
                {
                    public void EncodeAndWait(Thread encoder)
                    {
                        encoder.Start();
                        encoder.Join();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_break_on_the_flag_inside_while_true_is_the_same_poll_and_a_flag_nobody_else_reads_is_replaced()
        {
            const string source = """
                using System.Threading;

                public class Receiver
                {
                    private bool _received;

                    public void OnMessage() { _received = true; }

                    public void WaitForMessage()
                    {
                        [|while|] (true)
                        {
                            if (_received)
                                break;
                            Thread.Sleep(5);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class Receiver
                {
                    private readonly ManualResetEventSlim _receivedSignal = new ManualResetEventSlim(false);

                    public void OnMessage() { _receivedSignal.Set(); }

                    public void WaitForMessage()
                    {
                        _receivedSignal.Wait();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task SpinUntil_on_a_flag_with_a_timeout_becomes_a_timed_wait_that_still_returns_bool()
        {
            const string source = """
                using System;
                using System.Threading;

                public class Subscriber
                {
                    private bool _subscribed;

                    public void Confirm()
                    {
                        _subscribed = true;
                    }

                    public void EnsureSubscribed()
                    {
                        if (![|SpinWait.SpinUntil(() => _subscribed, TimeSpan.FromSeconds(5))|])
                        {
                            throw new TimeoutException();
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;

                public class Subscriber
                {
                    private readonly ManualResetEventSlim _subscribedSignal = new ManualResetEventSlim(false);

                    public void Confirm()
                    {
                        _subscribedSignal.Set();
                    }

                    public void EnsureSubscribed()
                    {
                        if (!_subscribedSignal.Wait(TimeSpan.FromSeconds(5)))
                        {
                            throw new TimeoutException();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_counter_polled_until_all_workers_report_is_reported_without_a_fix()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class BatchRunner
                {
                    private int _finished;

                    public void RunAll(int workers)
                    {
                        for (var i = 0; i < workers; i++)
                        {
                            Task.Run(() => Interlocked.Increment(ref _finished));
                        }

                        [|while|] (Volatile.Read(ref _finished) < workers)
                        {
                            Thread.Sleep(10);
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_flag_that_is_also_reset_gets_no_one_shot_signal()
        {
            const string source = """
                using System.Threading;

                public class Gate
                {
                    private volatile bool _open;

                    public void Open() { _open = true; }
                    public void Close() { _open = false; }

                    public void Pass()
                    {
                        [|while|] (!_open) Thread.Sleep(1);
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_captured_local_set_by_a_callback_is_polled_state_too()
        {
            const string source = """
                using System;
                using System.Threading;

                public class LegacyClient
                {
                    public event EventHandler? Completed;

                    public string Download()
                    {
                        string? result = null;
                        Completed += (_, _) => result = "payload";
                        [|while|] (result == null)
                        {
                            Thread.Sleep(20);
                        }
                        return result;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_timeout_counter_in_the_loop_keeps_it_a_poll_but_without_a_fix()
        {
            const string source = """
                using System;
                using System.Threading;

                public class Probe
                {
                    private volatile bool _healthy;

                    public void SetHealthy() { _healthy = true; }

                    public bool WaitHealthy()
                    {
                        var waited = 0;
                        [|while|] (!_healthy)
                        {
                            if (waited > 5000)
                                return false;
                            Thread.Sleep(50);
                            waited += 50;
                        }
                        return true;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_periodic_worker_that_does_work_between_sleeps_is_not_a_poll()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class MetricsFlusher
                {
                    private volatile bool _stopping;

                    public async Task RunAsync(CancellationToken token)
                    {
                        while (!_stopping)
                        {
                            Flush();
                            await Task.Delay(TimeSpan.FromSeconds(10), token);
                        }
                    }

                    public void Stop() => _stopping = true;

                    private void Flush() { }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Waiting_for_cancellation_is_what_the_token_is_for()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class KeepAlive
                {
                    private readonly CancellationTokenSource _cts = new CancellationTokenSource();

                    public async Task HoldAsync(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            await Task.Delay(1000);
                        }

                        while (!_cts.IsCancellationRequested)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Polling_something_outside_the_program_is_not_shared_state()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;

                public class FileWatcherFallback
                {
                    public void WaitForFile(string path, DateTime deadline)
                    {
                        while (!File.Exists(path))
                        {
                            Thread.Sleep(200);
                        }

                        while (DateTime.UtcNow < deadline)
                        {
                            Thread.Sleep(200);
                        }

                        for (var i = 0; i < 10; i++)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_loop_without_a_sleep_is_not_this_rule()
        {
            const string source = """
                using System.Collections.Concurrent;

                public class Drainer
                {
                    private readonly ConcurrentQueue<int> _queue = new ConcurrentQueue<int>();
                    private int _sum;

                    public void Drain()
                    {
                        while (_queue.TryDequeue(out var item))
                        {
                            _sum += item;
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
