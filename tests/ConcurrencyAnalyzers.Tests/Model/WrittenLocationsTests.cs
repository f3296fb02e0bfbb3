using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class WrittenLocationsTests
    {
        private const string Source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public class Aggregator
            {
                private int _total;
                private readonly List<string> _log = new();
                private readonly Dictionary<string, int> _byKey = new();
                private static int s_runs;

                public void Start(int[] values)
                {
                    var seen = 0;
                    var results = new int[values.Length];
                    Task.Run(() =>
                    {
                        var local = 0;
                        local++;
                        seen++;
                        results[0] = 1;
                        _byKey["a"] = 2;
                        Record("x");
                    });
                }

                private void Record(string message)
                {
                    _log.Add(message);
                    Bump();
                }

                private void Bump() { _total++; s_runs++; }
            }
            """;

        [Fact]
        public async Task Collects_captured_locals_fields_and_mutated_collections_through_helpers()
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            ConcurrentEntryPoint.TryGet(helper.Invocation("Task.Run("), helper.Types, out var entry);

            var written = WrittenLocations.Of(entry, helper.Model, CancellationToken.None).Select(s => s.Name).OrderBy(n => n);

            Assert.Equal(new[] { "_byKey", "_log", "_total", "results", "s_runs", "seen" }, written);
        }
    }
}
