namespace ConcurrencyAnalyzers.EndToEndTests
{
    /// <summary>The consumer project's code: one finding of each rule, each of which has a code fix.</summary>
    internal static class ConsumerSources
    {
        public const string Jobs = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            namespace Consumer
            {
                public class ReportJob
                {
                    private readonly List<string> _lines = new List<string>();
                    private volatile bool _ready;

                    public async Task RunAsync(CancellationToken cancellationToken)
                    {
                        await Task.Yield();
                        Thread.Sleep(250);
                    }

                    public int Build()
                    {
                        var fill = Task.Run(() => _lines.Add("total"));
                        Thread.Sleep(1000);
                        return _lines.Count;
                    }

                    public void MarkReady()
                    {
                        _ready = true;
                    }

                    public void WaitReady()
                    {
                        while (!_ready)
                        {
                            Thread.Sleep(10);
                        }
                    }
                }
            }
            """;
    }
}
