using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class CancellationTokenScopeTests
    {
        private const string Source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Consumer
            {
                private readonly CancellationToken _shutdown;

                public Task Run(CancellationToken outer)
                {
                    /*outer*/
                    return Task.Run(async () =>
                    {
                        /*captured*/
                        await Parallel.ForEachAsync(new[] { 1 }, outer, async (item, inner) =>
                        {
                            /*inner*/
                            await Task.Yield();
                        });
                    });
                }

                public void NoParameter()
                {
                    /*field*/
                    using var cts = new CancellationTokenSource();
                    /*source*/
                }

                public static void Static()
                {
                    using var linked = new CancellationTokenSource();
                    /*static*/
                }
            }
            """;

        [Theory]
        [InlineData("/*outer*/", "outer")]
        [InlineData("/*captured*/", "outer")]
        [InlineData("/*inner*/", "inner")]
        [InlineData("/*field*/", "_shutdown")]
        [InlineData("/*source*/", "_shutdown")]
        [InlineData("/*static*/", "linked.Token")]
        public async Task Picks_the_innermost_token_then_a_field_then_a_source(string marker, string expected)
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var found = CancellationTokenScope.FindInnermost(helper.Model, helper.PositionOf(marker), helper.Types);
            Assert.Equal(expected, found);
        }
    }
}
