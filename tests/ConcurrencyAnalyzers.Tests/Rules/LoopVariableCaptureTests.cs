using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.LoopVariableCaptureAnalyzer,
    ConcurrencyAnalyzers.Rules.LoopVariableCaptureCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class LoopVariableCaptureTests
    {
        [Fact]
        public Task Partitions_started_with_Task_Run_in_a_for_loop_capture_a_copy_of_the_index()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Reindexer
                {
                    public Task ReindexAsync(int partitions)
                    {
                        var work = new List<Task>();
                        for (var p = 0; p < partitions; p++)
                        {
                            work.Add(Task.Run(() => Reindex({|#0:p|}, partitions)));
                        }

                        return Task.WhenAll(work);
                    }

                    private static void Reindex(int partition, int of) { }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Reindexer
                {
                    public Task ReindexAsync(int partitions)
                    {
                        var work = new List<Task>();
                        for (var p = 0; p < partitions; p++)
                        {
                            var pCopy = p;
                            work.Add(Task.Run(() => Reindex(pCopy, partitions)));
                        }

                        return Task.WhenAll(work);
                    }

                    private static void Reindex(int partition, int of) { }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("p", "the Task.Run work"));
        }

        [Fact]
        public Task Threads_and_stored_callbacks_in_loops_without_braces_are_fixed_too()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public class Workers
                {
                    private readonly List<Action> _onShutdown = new();

                    public void Start(Thread[] threads)
                    {
                        for (int i = 0; i < threads.Length; i++)
                        {
                            threads[i] = new Thread(() => Console.WriteLine("worker " + [|i|]));
                            threads[i].Start();
                        }

                        for (int i = 0; i < 3; i++)
                            _onShutdown.Add(() => Console.WriteLine("stop " + [|i|]));
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public class Workers
                {
                    private readonly List<Action> _onShutdown = new();

                    public void Start(Thread[] threads)
                    {
                        for (int i = 0; i < threads.Length; i++)
                        {
                            var iCopy = i;
                            threads[i] = new Thread(() => Console.WriteLine("worker " + iCopy));
                            threads[i].Start();
                        }

                        for (int i = 0; i < 3; i++)
                        {
                            var iCopy = i;
                            _onShutdown.Add(() => Console.WriteLine("stop " + iCopy));
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Foreach_variables_copies_Parallel_For_indexes_and_delegates_run_at_once_are_fine()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;

                public class Safe
                {
                    public async Task RunAsync(int[] items)
                    {
                        var tasks = new List<Task>();
                        foreach (var item in items)
                        {
                            tasks.Add(Task.Run(() => Use(item)));
                        }

                        for (var i = 0; i < items.Length; i++)
                        {
                            var index = i;
                            tasks.Add(Task.Run(() => Use(index)));
                            await Task.Run(() => Use(i));
                            Task.Run(() => Use(i)).Wait();
                            Action now = () => Use(i);
                            now();
                            var doubled = items.Select(x => x * i).ToList();
                            Parallel.Invoke(() => Use(i), () => Use(i + 1));
                            var attempt = Task.Run(() => Use(i));
                            attempt.Wait();
                            await Task.WhenAll(Task.Run(() => Use(i)), Task.Run(() => Use(-i)));
                        }

                        Parallel.For(0, items.Length, i => Use(i));
                        await Task.WhenAll(tasks);
                    }

                    private static void Use(int value) { }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
