using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers.Tests.Model
{
    /// <summary>The per-method lock summaries and the lock-order graph the deadlock rule is built on.</summary>
    public class LockSummariesTests
    {
        private const string Source = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            public class Node
            {
                private static readonly object s_registry = new object();
                private readonly object _sync = new object();
                private readonly SemaphoreSlim _io = new SemaphoreSlim(1, 1);
                private readonly List<Action> _later = new();
                public Node? Child;

                public void Direct() { lock (_sync) { } }

                public void ThroughTwoCalls() => Middle();

                private void Middle() => Direct();

                public void OnChild() => Child!.Direct();

                public void Static() { lock (s_registry) { } }

                public void OnlyStored() => _later.Add(() => { lock (_sync) { } });

                public void Started() => Task.Run(() => { lock (_sync) { } });

                public void RunNow(List<int> items) => items.ForEach(_ => { lock (_sync) { } });

                public bool Bounded() => _io.Wait(100);

                public void Recursive(int depth) { if (depth > 0) Recursive(depth - 1); lock (_sync) { } }
            }
            """;

        private static async Task<(ModelTestHelper Helper, LockSummaries Summaries)> SummariesAsync()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            return (helper, new LockSummaries(helper.Compilation, helper.Types));
        }

        private static IMethodSymbol Method(ModelTestHelper helper, string name) => (IMethodSymbol)helper.MethodSymbol(name)!;

        [Theory]
        [InlineData("Direct", "Node._sync", "this")]
        [InlineData("ThroughTwoCalls", "Node._sync", "this")]
        [InlineData("OnChild", "Node._sync", null)]
        [InlineData("Static", "Node.s_registry", "static")]
        [InlineData("RunNow", "Node._sync", "this")]
        [InlineData("Recursive", "Node._sync", "this")]
        public async Task A_method_takes_the_locks_it_and_its_callees_take(string method, string node, string? receiver)
        {
            var (helper, summaries) = await SummariesAsync();
            var step = Assert.Single(summaries.StepsOf(Method(helper, method), CancellationToken.None).Where(s => s.Node.Display == node));
            Assert.Equal(receiver, step.Receiver);
            Assert.True(step.WaitsIndefinitely);
        }

        [Fact]
        public async Task The_path_names_each_method_down_to_the_one_that_locks()
        {
            var (helper, summaries) = await SummariesAsync();
            var step = Assert.Single(summaries.StepsOf(Method(helper, "ThroughTwoCalls"), CancellationToken.None));
            Assert.Equal(new[] { "ThroughTwoCalls", "Middle", "Direct" }, step.Path.Select(m => m.Name));
        }

        [Theory]
        [InlineData("OnlyStored")]
        [InlineData("Started")]
        public async Task Work_that_runs_later_or_elsewhere_takes_nothing_under_the_callers_locks(string method)
        {
            var (helper, summaries) = await SummariesAsync();
            Assert.Empty(summaries.StepsOf(Method(helper, method), CancellationToken.None));
        }

        [Fact]
        public async Task A_wait_with_a_timeout_is_an_acquisition_that_gives_up()
        {
            var (helper, summaries) = await SummariesAsync();
            var step = Assert.Single(summaries.StepsOf(Method(helper, "Bounded"), CancellationToken.None));
            Assert.False(step.WaitsIndefinitely);
        }

        [Fact]
        public async Task The_graph_finds_the_cycle_of_four_locks_and_leaves_the_tail_off_it()
        {
            var helper = await ModelTestHelper.CompileAsync("""
                public class Locks
                {
                    private readonly object _a = new(), _b = new(), _c = new(), _d = new(), _tail = new();

                    public void AB() { lock (_a) { lock (_b) { } } }
                    public void BC() { lock (_b) { lock (_c) { } } }
                    public void CD() { lock (_c) { lock (_d) { } } }
                    public void DA() { lock (_d) { lock (_a) { } } }
                    public void DTail() { lock (_d) { lock (_tail) { } } }
                }
                """);
            var edges = helper.Tree.GetRoot().DescendantNodes().OfType<LockStatementSyntax>()
                .Where(l => l.Parent is BlockSyntax { Parent: LockStatementSyntax })
                .Select(inner =>
                {
                    var outer = (LockStatementSyntax)inner.Parent!.Parent!;
                    var from = LockNode.Of(LockIdentity.Of(helper.Model.GetOperation(outer.Expression)!, LockKind.Monitor)!)!;
                    var to = LockNode.Of(LockIdentity.Of(helper.Model.GetOperation(inner.Expression)!, LockKind.Monitor)!)!;
                    var method = (IMethodSymbol)helper.Model.GetEnclosingSymbol(inner.SpanStart)!;
                    return new LockOrderEdge(from, to, inner.Expression.GetLocation(), method, System.Collections.Immutable.ImmutableArray<IMethodSymbol>.Empty, swappable: false);
                })
                .ToList();

            var graph = new LockOrderGraph(edges);
            Assert.Equal(new[] { "AB", "BC", "CD", "DA" }, graph.Edges.Where(graph.IsOnCycle).Select(e => e.Method.Name));
            var ab = graph.Edges.Single(e => e.Method.Name == "AB");
            Assert.Equal(new[] { "BC", "CD", "DA" }, graph.PathBack(ab).Select(e => e.Method.Name));
            Assert.Contains("\"Locks._d\" -> \"Locks._tail\" [label=\"Locks.DTail\"];", graph.ToGraphviz());
            Assert.Contains("\"Locks._a\" -> \"Locks._b\" [label=\"Locks.AB\", color=red, penwidth=2];", graph.ToGraphviz());
        }
    }
}
