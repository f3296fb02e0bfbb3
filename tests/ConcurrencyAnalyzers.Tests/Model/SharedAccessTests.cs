using System.Linq;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class SharedAccessTests
    {
        private const string Source = """
            using System;
            using System.Collections.Generic;
            using System.Collections.Concurrent;
            using System.Collections.Immutable;
            using System.Threading;
            using System.Threading.Tasks;

            public class Item { public int Views; }

            public class Shapes
            {
                [ThreadStatic] private static int t_depth;
                private static int s_total;
                private readonly ThreadLocal<int> _perThread = new ThreadLocal<int>();
                private readonly List<int> _list = new List<int>();
                private readonly ConcurrentBag<int> _bag = new ConcurrentBag<int>();
                private ImmutableList<int> _snapshot = ImmutableList<int>.Empty;
                private Item _current = new Item();
                private int _count;
                public int Auto { get; set; }

                public void Run(Item[] items)
                {
                    var captured = 0;
                    Parallel.ForEach(items, item =>
                    {
                        var local = 1;
                        local++;
                        captured++;
                        _count += 2;
                        s_total = s_total + 1;
                        Auto = 5;
                        t_depth++;
                        _perThread.Value++;
                        Interlocked.Increment(ref _count);
                        _list.Add(local);
                        _bag.Add(local);
                        _snapshot = _snapshot.Add(local);
                        item.Views++;
                        _current.Views++;
                    });
                }
            }
            """;

        [Fact]
        public async Task Classifies_what_a_parallel_body_does_to_shared_state()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var forEach = (IInvocationOperation)helper.Invocation("Parallel.ForEach(");
            var lambda = forEach.DescendantsInSourceOrder().OfType<IAnonymousFunctionOperation>().First();

            var accesses = SharedAccess.In(lambda.Body, lambda, lambda.Body, helper.Types, includeReads: false)
                .Select(a => a.Location.Name + ":" + a.Kind)
                .ToList();

            Assert.Equal(
                new[]
                {
                    "captured:ReadModifyWrite",
                    "_count:ReadModifyWrite",
                    "s_total:ReadModifyWrite",
                    "Auto:Write",
                    "_list:CollectionMutation",
                    "_snapshot:ReadModifyWrite",
                    "Views:ReadModifyWrite",
                },
                accesses);
        }
    }
}
