using System.Linq;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class ConcurrentEntryPointTests
    {
        private const string Source = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;

            public class Service
            {
                private int _count;

                public async Task AllShapesAsync(int[] items, List<int> list)
                {
                    var run = Task.Run(() => _count++);
                    var started = Task.Factory.StartNew(() => _count++, TaskCreationOptions.LongRunning);
                    var next = run.ContinueWith(t => _count++);
                    Parallel.ForEach(items, item => _count += item);
                    Parallel.For(0, 10, i => _count += i);
                    Parallel.Invoke(() => _count++, () => _count--);
                    items.AsParallel().ForAll(item => _count += item);
                    var thread = new Thread(Work);
                    ThreadPool.QueueUserWorkItem(_ => _count++);
                    var periodic = new Timer(_ => _count++, null, 0, 1000);
                    var oneShot = new Timer(_ => _count++, null, 100, Timeout.Infinite);
                    var elapsed = new System.Timers.Timer(100);
                    elapsed.Elapsed += (s, e) => _count++;
                    var pending = HelperAsync();
                    await HelperAsync();
                    await Parallel.ForEachAsync(items, async (item, token) => await Task.Yield());
                    list.ForEach(item => _count += item);
                    var done = Task.FromResult(1);
                    Run(() => _count++);
                }

                private void Work() { _count++; }
                private async Task HelperAsync() { await Task.Yield(); }
                private static void Run(Action action) => action();
            }
            """;

        private static async Task<(ModelTestHelper Helper, ConcurrentEntryPoint? Entry)> EntryAsync(string text, bool creation = false)
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var operation = creation ? helper.Creation(text) : helper.Invocation(text);
            return (helper, ConcurrentEntryPoint.TryGet(operation, helper.Types, out var entry) ? entry : null);
        }

        [Theory]
        [InlineData("Task.Run(", "TaskRun", false, true)]
        [InlineData("Task.Factory.StartNew(", "TaskFactoryStartNew", false, true)]
        [InlineData("run.ContinueWith(", "ContinueWith", false, true)]
        [InlineData("Parallel.ForEach(", "ParallelLoop", true, false)]
        [InlineData("Parallel.For(", "ParallelLoop", true, false)]
        [InlineData("Parallel.Invoke(", "ParallelInvoke", true, false)]
        [InlineData("items.AsParallel().ForAll(", "Plinq", true, false)]
        [InlineData("ThreadPool.QueueUserWorkItem(", "ThreadPool", false, true)]
        [InlineData("HelperAsync()", "AsyncCall", false, true)]
        [InlineData("Parallel.ForEachAsync(", "ParallelLoop", true, true)]
        public async Task Invocations_that_hand_work_to_other_threads_are_entry_points(string text, string kind, bool manyAtOnce, bool outlives)
        {
            var (_, entry) = await EntryAsync(text);
            Assert.NotNull(entry);
            Assert.Equal(kind, entry!.Kind.ToString());
            Assert.Equal(manyAtOnce, entry.RunsManyAtOnce);
            Assert.Equal(outlives, entry.OutlivesStart);
        }

        [Fact]
        public async Task Parallel_Invoke_has_one_piece_of_work_per_action()
        {
            var (_, entry) = await EntryAsync("Parallel.Invoke(");
            Assert.Equal(2, entry!.Work.Length);
            Assert.All(entry.Work, w => Assert.IsAssignableFrom<IAnonymousFunctionOperation>(w));
        }

        [Fact]
        public async Task A_thread_created_with_a_method_group_names_the_method()
        {
            var (_, entry) = await EntryAsync("new Thread(Work)", creation: true);
            Assert.Equal("Thread", entry!.Kind.ToString());
            Assert.Equal("Work", entry.WorkMethod!.Name);
        }

        [Theory]
        [InlineData("new Timer(_ => _count++, null, 0, 1000)", true)]
        [InlineData("new Timer(_ => _count++, null, 100, Timeout.Infinite)", false)]
        public async Task Timers_are_entry_points_and_only_periodic_ones_run_many_times(string text, bool periodic)
        {
            var (_, entry) = await EntryAsync(text, creation: true);
            Assert.Equal("ThreadingTimer", entry!.Kind.ToString());
            Assert.Equal(periodic, entry.RunsManyAtOnce);
        }

        [Fact]
        public async Task Subscribing_to_a_timers_Elapsed_event_is_an_entry_point()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var subscription = helper.Operation<AssignmentExpressionSyntax>("elapsed.Elapsed +=");
            Assert.True(ConcurrentEntryPoint.TryGet(subscription, helper.Types, out var entry));
            Assert.Equal("TimersTimer", entry.Kind.ToString());
        }

        [Theory]
        [InlineData("list.ForEach(")]
        [InlineData("Task.FromResult(")]
        [InlineData("Run(() => _count++)")]
        public async Task Synchronous_callbacks_and_lookalikes_are_not_entry_points(string text)
        {
            var (_, entry) = await EntryAsync(text);
            Assert.Null(entry);
        }

        [Fact]
        public async Task An_awaited_async_call_is_not_started_work()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var awaited = helper.Operation<AwaitExpressionSyntax>("await HelperAsync()");
            var call = ((IAwaitOperation)awaited).Operation;
            Assert.False(ConcurrentEntryPoint.TryGet(call, helper.Types, out _));
        }

        [Theory]
        [InlineData("Parallel.For(", "ParallelLoop")]
        [InlineData("Parallel.Invoke(", "ParallelInvoke")]
        [InlineData("Task.Run(", "TaskRun")]
        [InlineData("ThreadPool.QueueUserWorkItem(", "ThreadPool")]
        public async Task An_operation_inside_concurrent_work_knows_its_entry_point(string call, string kind)
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var invocation = (IInvocationOperation)helper.Invocation(call);
            var write = invocation.DescendantsInSourceOrder().First(o => o is IIncrementOrDecrementOperation or ICompoundAssignmentOperation);
            var entry = ConcurrentEntryPoint.Enclosing(write, helper.Types);
            Assert.Equal(kind, entry!.Kind.ToString());
        }

        [Fact]
        public async Task An_operation_in_a_synchronous_callback_has_no_entry_point()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var forEach = (IInvocationOperation)helper.Invocation("list.ForEach(");
            var increment = forEach.Arguments[0].Value.DescendantsInSourceOrder().OfType<ICompoundAssignmentOperation>().Single();
            Assert.Null(ConcurrentEntryPoint.Enclosing(increment, helper.Types));
        }
    }
}
