using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.RepeatedCompletionAnalyzer,
    ConcurrencyAnalyzers.Rules.RepeatedCompletionCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class RepeatedCompletionTests
    {
        [Fact]
        public Task The_finally_completes_again_after_the_last_page_did_and_becomes_TryComplete()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed record Page(string[] Links, bool IsLast);

                public class SitemapProducer
                {
                    public async Task ProduceAsync(ChannelWriter<string> writer, IAsyncEnumerable<Page> pages)
                    {
                        try
                        {
                            await foreach (var page in pages)
                            {
                                foreach (var link in page.Links)
                                {
                                    writer.TryWrite(link);
                                }

                                if (page.IsLast)
                                {
                                    {|#1:writer.Complete()|};
                                    return;
                                }
                            }
                        }
                        finally
                        {
                            {|#0:writer.Complete()|};
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed record Page(string[] Links, bool IsLast);

                public class SitemapProducer
                {
                    public async Task ProduceAsync(ChannelWriter<string> writer, IAsyncEnumerable<Page> pages)
                    {
                        try
                        {
                            await foreach (var page in pages)
                            {
                                foreach (var link in page.Links)
                                {
                                    writer.TryWrite(link);
                                }

                                if (page.IsLast)
                                {
                                    writer.Complete();
                                    return;
                                }
                            }
                        }
                        finally
                        {
                            writer.TryComplete();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC041").WithLocation(0).WithLocation(1)
                    .WithArguments("'writer' can already be completed here (line 22)", "Complete on a completed writer throws InvalidOperationException"));
        }

        [Fact]
        public Task Stop_and_Dispose_both_calling_Complete_become_TryComplete_with_fix_all()
        {
            const string source = """
                using System;
                using System.Threading.Channels;

                public sealed class Telemetry : IDisposable
                {
                    private readonly Channel<string> _points = Channel.CreateUnbounded<string>();

                    public void Stop() => {|#0:_points.Writer.Complete()|};

                    public void Dispose()
                    {
                        {|#1:_points.Writer.Complete()|};
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading.Channels;

                public sealed class Telemetry : IDisposable
                {
                    private readonly Channel<string> _points = Channel.CreateUnbounded<string>();

                    public void Stop() => _points.Writer.TryComplete();

                    public void Dispose()
                    {
                        _points.Writer.TryComplete();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC041").WithLocation(0).WithLocation(1)
                    .WithArguments("'_points.Writer' is completed here in 'Stop' and also in 'Dispose' (line 12)", "when both run and this one comes second, Complete throws InvalidOperationException"),
                Verify.Diagnostic("CONC041").WithLocation(1).WithLocation(0)
                    .WithArguments("'_points.Writer' is completed here in 'Dispose' and also in 'Stop' (line 8)", "when both run and this one comes second, Complete throws InvalidOperationException"));
        }

        [Fact]
        public Task Each_producer_started_in_a_loop_completing_in_finally_moves_the_completion_after_WhenAll()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class FeedMerger
                {
                    public async Task MergeAsync(IEnumerable<string[]> feeds, ChannelWriter<string> output)
                    {
                        var producers = new List<Task>();
                        foreach (var feed in feeds)
                        {
                            producers.Add(Task.Run(async () =>
                            {
                                try
                                {
                                    foreach (var item in feed)
                                    {
                                        await output.WriteAsync(item);
                                    }
                                }
                                finally
                                {
                                    {|#0:output.Complete()|};
                                }
                            }));
                        }

                        await Task.WhenAll(producers);
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class FeedMerger
                {
                    public async Task MergeAsync(IEnumerable<string[]> feeds, ChannelWriter<string> output)
                    {
                        var producers = new List<Task>();
                        foreach (var feed in feeds)
                        {
                            producers.Add(Task.Run(async () =>
                            {
                                foreach (var item in feed)
                                {
                                    await output.WriteAsync(item);
                                }
                            }));
                        }

                        try
                        {
                            await Task.WhenAll(producers);
                        }
                        finally
                        {
                            output.TryComplete();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC041").WithLocation(0)
                    .WithArguments("'output' is completed by the Task.Run work, which is started once per loop iteration", "the first producer to finish cuts off the writes of the others; complete once after all of them finish (await Task.WhenAll)"));
        }

        [Fact]
        public Task Producers_started_per_item_with_Fix_All_complete_each_writer_once_after_WhenAll()
        {
            const string source = """
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Splitter
                {
                    private readonly Channel<int> _evens = Channel.CreateUnbounded<int>();

                    public async Task SplitAsync(int[][] parts, ChannelWriter<int> odds)
                    {
                        var producers = parts.Select(part => Task.Run(async () =>
                        {
                            foreach (var value in part)
                            {
                                if (value % 2 == 0)
                                {
                                    await _evens.Writer.WriteAsync(value);
                                }
                                else
                                {
                                    await odds.WriteAsync(value);
                                }
                            }

                            [|_evens.Writer.TryComplete()|];
                            [|odds.TryComplete()|];
                        })).ToArray();

                        await Task.WhenAll(producers);
                    }
                }
                """;
            const string fixedSource = """
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Splitter
                {
                    private readonly Channel<int> _evens = Channel.CreateUnbounded<int>();

                    public async Task SplitAsync(int[][] parts, ChannelWriter<int> odds)
                    {
                        var producers = parts.Select(part => Task.Run(async () =>
                        {
                            foreach (var value in part)
                            {
                                if (value % 2 == 0)
                                {
                                    await _evens.Writer.WriteAsync(value);
                                }
                                else
                                {
                                    await odds.WriteAsync(value);
                                }
                            }
                        })).ToArray();

                        await Task.WhenAll(producers);
                        odds.TryComplete();
                        _evens.Writer.TryComplete();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Async_lambdas_per_item_that_each_complete_are_reported_without_a_fix()
        {
            const string source = """
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class FanOut
                {
                    public Task FanOutAsync(int[][] parts, ChannelWriter<int> sink) =>
                        Task.WhenAll(parts.Select(async part =>
                        {
                            foreach (var value in part)
                            {
                                await sink.WriteAsync(value);
                            }

                            {|#0:sink.TryComplete()|};
                        }));
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC041").WithLocation(0)
                    .WithArguments("'sink' is completed by the async lambda, which runs once per item, all at the same time", "the first producer to finish cuts off the writes of the others; complete once after all of them finish (await Task.WhenAll)"));
        }

        [Fact]
        public Task A_producer_method_that_completes_its_writer_started_per_source_is_reported()
        {
            const string source = """
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Ingest
                {
                    public async Task RunAsync(string[] files)
                    {
                        var lines = Channel.CreateUnbounded<string>();
                        var readers = files.Select(file => {|#1:ReadFileAsync(file, lines.Writer)|}).ToArray();
                        await Task.WhenAll(readers);
                    }

                    private static async Task ReadFileAsync(string file, ChannelWriter<string> writer)
                    {
                        try
                        {
                            await writer.WriteAsync(file);
                        }
                        finally
                        {
                            {|#0:writer.TryComplete()|};
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC041").WithLocation(0).WithLocation(1)
                    .WithArguments("'ReadFileAsync' completes 'writer', and 'RunAsync' starts it once per item (line 10) with the same writer", "the first producer to finish cuts off the writes of the others; complete once after all of them finish (await Task.WhenAll)"));
        }

        [Fact]
        public Task Scanner_threads_that_each_complete_adding_are_reported()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.IO;
                using System.Threading;

                public class ThumbnailBatch
                {
                    public void Run(string[] folders)
                    {
                        var work = new BlockingCollection<string>();
                        for (var i = 0; i < folders.Length; i++)
                        {
                            var folder = folders[i];
                            var scanner = new Thread(() =>
                            {
                                try
                                {
                                    foreach (var file in Directory.EnumerateFiles(folder))
                                    {
                                        work.Add(file);
                                    }
                                }
                                finally
                                {
                                    {|#0:work.CompleteAdding()|};
                                }
                            });
                            scanner.Start();
                        }

                        foreach (var file in work.GetConsumingEnumerable())
                        {
                            File.Delete(file);
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC041").WithLocation(0)
                    .WithArguments("'work' is completed by the thread, which is started once per loop iteration", "the first producer to finish cuts off the writes of the others; complete once after all of them finish (await Task.WhenAll)"));
        }

        [Fact]
        public Task A_consumer_that_completes_the_writer_of_the_channel_it_reads_is_reported()
        {
            const string source = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class OrderConsumer
                {
                    private readonly Channel<int> _orders = Channel.CreateUnbounded<int>();

                    public async Task ConsumeAsync()
                    {
                        while (await _orders.Reader.WaitToReadAsync())
                        {
                            while (_orders.Reader.TryRead(out var order))
                            {
                                if (order < 0)
                                {
                                    {|#0:_orders.Writer.Complete()|};
                                }
                            }
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC041").WithLocation(0)
                    .WithArguments("'_orders.Writer' is completed by the loop that reads the channel (line 12)", "producers that are still writing get ChannelClosedException or lose items; let the producing side complete the writer, and stop the consumer with a token or a break"));
        }

        [Fact]
        public Task Completing_once_in_the_right_place_is_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class Pipeline : IDisposable
                {
                    private readonly Channel<int> _work = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _audit = Channel.CreateUnbounded<int>();
                    private readonly BlockingCollection<int> _queue = new();
                    private int _stopped;

                    // TryComplete is idempotent: Stop and Dispose may both run.
                    public void Stop() => _work.Writer.TryComplete();

                    public void Dispose()
                    {
                        _work.Writer.TryComplete();
                        _queue.CompleteAdding();
                        _queue.CompleteAdding();
                    }

                    // Guarded so it completes once.
                    public void Shutdown()
                    {
                        if (Interlocked.Exchange(ref _stopped, 1) == 1)
                        {
                            return;
                        }

                        _audit.Writer.Complete();
                    }

                    public void Abort()
                    {
                        if (Interlocked.Exchange(ref _stopped, 1) == 0)
                        {
                            _audit.Writer.Complete();
                        }
                    }

                    public async Task MergeAsync(int[][] sources, ChannelWriter<int> output)
                    {
                        var producers = sources.Select(source => Task.Run(async () =>
                        {
                            foreach (var item in source)
                            {
                                await output.WriteAsync(item);
                            }
                        })).ToList();

                        try
                        {
                            await Task.WhenAll(producers);
                            output.TryComplete();
                        }
                        catch (Exception ex)
                        {
                            output.TryComplete(ex);
                            throw;
                        }
                    }

                    public async Task ShardedAsync(int[][] shards)
                    {
                        var tasks = new List<Task>();
                        foreach (var shard in shards)
                        {
                            var channel = Channel.CreateBounded<int>(8);
                            tasks.Add(Task.Run(async () =>
                            {
                                foreach (var item in shard)
                                {
                                    await channel.Writer.WriteAsync(item);
                                }

                                channel.Writer.Complete();
                            }));
                            tasks.Add(Task.Run(async () =>
                            {
                                await foreach (var item in channel.Reader.ReadAllAsync())
                                {
                                    Console.WriteLine(item);
                                }
                            }));
                        }

                        await Task.WhenAll(tasks);
                    }

                    public async Task ConsumeAsync(ChannelReader<int> reader, ChannelWriter<int> writer)
                    {
                        try
                        {
                            await foreach (var item in reader.ReadAllAsync())
                            {
                                await writer.WriteAsync(item * 2);
                            }
                        }
                        catch (Exception ex)
                        {
                            // The consumer failed: stop the producers with the reason.
                            writer.TryComplete(ex);
                        }
                    }

                    public async Task CrawlAsync(Channel<string> frontier)
                    {
                        var pending = 1;
                        await foreach (var url in frontier.Reader.ReadAllAsync())
                        {
                            foreach (var link in Links(url))
                            {
                                pending++;
                                await frontier.Writer.WriteAsync(link);
                            }

                            if (--pending == 0)
                            {
                                frontier.Writer.Complete();
                            }
                        }
                    }

                    private static IEnumerable<string> Links(string url) => Array.Empty<string>();
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_watchdog_a_retry_loop_and_one_channel_per_object_are_not_several_producers()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class Stage
                {
                    public Channel<int> Output { get; } = Channel.CreateUnbounded<int>();
                }

                public class Supervisor
                {
                    public async Task RunAsync(ChannelWriter<int> writer, int[] items, TimeSpan timeout)
                    {
                        var producer = Task.Run(async () =>
                        {
                            foreach (var item in items)
                            {
                                await writer.WriteAsync(item);
                            }

                            writer.TryComplete();
                        });
                        var watchdog = Task.Run(async () =>
                        {
                            await Task.Delay(timeout);
                            writer.TryComplete(new TimeoutException());
                        });
                        await producer;
                    }

                    public async Task RetryAsync(ChannelWriter<int> writer)
                    {
                        for (var attempt = 0; attempt < 3; attempt++)
                        {
                            await Task.Run(async () =>
                            {
                                await writer.WriteAsync(attempt);
                                writer.TryComplete();
                            });
                        }
                    }

                    public Task DrainAllAsync(IEnumerable<Stage> stages) =>
                        Task.WhenAll(stages.Select(async stage =>
                        {
                            await stage.Output.Writer.WriteAsync(1);
                            stage.Output.Writer.Complete();
                        }));

                    public async Task PerStageAsync(List<Stage> stages)
                    {
                        var tasks = new List<Task>();
                        foreach (var stage in stages)
                        {
                            tasks.Add(Task.Run(() =>
                            {
                                stage.Output.Writer.TryWrite(1);
                                stage.Output.Writer.TryComplete();
                            }));
                        }

                        await Task.WhenAll(tasks);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Producers_awaited_together_with_their_consumer_get_no_fix()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Pipeline
                {
                    public async Task RunAsync(int[][] parts)
                    {
                        var channel = Channel.CreateUnbounded<int>();
                        var tasks = new List<Task>();
                        foreach (var part in parts)
                        {
                            tasks.Add(Task.Run(async () =>
                            {
                                foreach (var value in part)
                                {
                                    await channel.Writer.WriteAsync(value);
                                }

                                [|channel.Writer.TryComplete()|];
                            }));
                        }

                        tasks.Add(Task.Run(async () =>
                        {
                            await foreach (var value in channel.Reader.ReadAllAsync())
                            {
                                Console.WriteLine(value);
                            }
                        }));
                        await Task.WhenAll(tasks);
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }
    }
}
