using System.Linq;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class StartedWorkTests
    {
        private const string Source = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            public class Pipeline
            {
                private Task? _background;
                private int _n;

                public async Task RunAsync(string[] inputs)
                {
                    var first = Task.Run(() => _n++);
                    _background = Task.Run(() => _n--);
                    var tasks = new List<Task>();
                    foreach (var input in inputs)
                    {
                        tasks.Add(Task.Run(() => _n += input.Length));
                    }

                    var worker = new Thread(() => _n++);
                    worker.Start();
                    new Thread(() => _n++).Start();
                    var notStarted = new Thread(() => _n++);
                    await Task.Run(() => _n++);
                    Task.Run(() => _n++).Wait();
                    Parallel.For(0, 3, i => _n++);

                    await first;
                    await Task.WhenAll(tasks);
                    worker.Join();
                }
            }
            """;

        [Fact]
        public async Task Collects_work_that_outlives_its_start_with_the_variable_that_holds_it()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var body = helper.MethodBody("RunAsync");
            var works = StartedWork.Collect(body, helper.Types);

            Assert.Collection(
                works,
                w => { Assert.Equal("first", w.Handle?.Name); Assert.False(w.InLoop); },
                w => Assert.Equal("_background", w.Handle?.Name),
                w => { Assert.Null(w.Handle); Assert.Equal("tasks", w.Collection?.Name); Assert.True(w.InLoop); },
                w => { Assert.True(w.IsThread); Assert.Equal("worker", w.Handle?.Name); Assert.Equal("worker.Start()", w.Start.Syntax.ToString()); },
                w => { Assert.True(w.IsThread); Assert.Null(w.Handle); });
        }

        [Fact]
        public async Task Finds_the_awaits_WhenAll_and_Join_that_wait_for_each_piece_of_work()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var body = helper.MethodBody("RunAsync");
            var works = StartedWork.Collect(body, helper.Types);

            Assert.Equal("await first", works[0].FindJoins(body).Single().Syntax.ToString());
            Assert.Empty(works[1].FindJoins(body));
            Assert.Equal("Task.WhenAll(tasks)", works[2].FindJoins(body).Single().Syntax.ToString());
            Assert.Equal("worker.Join()", works[3].FindJoins(body).Single().Syntax.ToString());
        }
    }
}
