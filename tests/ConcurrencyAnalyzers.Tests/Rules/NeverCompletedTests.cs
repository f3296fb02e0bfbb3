using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.NeverCompletedAnalyzer,
    ConcurrencyAnalyzers.Rules.NeverCompletedCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class NeverCompletedTests
    {
        [Fact]
        public Task A_consumer_awaited_after_producers_that_never_complete_gets_the_completion_added()
        {
            const string source = """
                using System;
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Resizer
                {
                    public async Task ResizeAllAsync(string[] files)
                    {
                        var jobs = Channel.CreateBounded<string>(64);
                        var consumer = Task.Run(async () =>
                        {
                            await foreach (var file in {|#0:jobs.Reader.ReadAllAsync()|})
                            {
                                Console.WriteLine(file);
                            }
                        });

                        var producers = files.Chunk(100).Select(chunk => Task.Run(async () =>
                        {
                            foreach (var file in chunk)
                            {
                                await jobs.Writer.WriteAsync(file);
                            }
                        })).ToArray();

                        await Task.WhenAll(producers);
                        await consumer;
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Resizer
                {
                    public async Task ResizeAllAsync(string[] files)
                    {
                        var jobs = Channel.CreateBounded<string>(64);
                        var consumer = Task.Run(async () =>
                        {
                            await foreach (var file in jobs.Reader.ReadAllAsync())
                            {
                                Console.WriteLine(file);
                            }
                        });

                        var producers = files.Chunk(100).Select(chunk => Task.Run(async () =>
                        {
                            foreach (var file in chunk)
                            {
                                await jobs.Writer.WriteAsync(file);
                            }
                        })).ToArray();

                        await Task.WhenAll(producers);
                        jobs.Writer.Complete();
                        await consumer;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC042").WithLocation(0).WithArguments("This await foreach over ReadAllAsync", "jobs.Reader"));
        }

        [Fact]
        public Task A_field_channel_read_by_a_helper_and_a_blocking_queue_are_reported_across_methods()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                internal sealed class AckTracker
                {
                    private readonly Channel<long> _acks = Channel.CreateUnbounded<long>();
                    private readonly BlockingCollection<string> _results = new();
                    private readonly ChannelWriter<long> _ackWriter;

                    public AckTracker() => _ackWriter = _acks.Writer;

                    public ValueTask AckAsync(long lsn) => _ackWriter.WriteAsync(lsn);

                    public Task CheckpointAsync() => DrainAsync(_acks.Reader);

                    private static async Task DrainAsync(ChannelReader<long> reader)
                    {
                        while (await [|reader.WaitToReadAsync()|])
                        {
                            while (reader.TryRead(out var lsn))
                            {
                                Console.WriteLine(lsn);
                            }
                        }
                    }

                    public void Report()
                    {
                        _results.Add("done");
                        foreach (var line in [|_results.GetConsumingEnumerable()|])
                        {
                            Console.WriteLine(line);
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task Channels_that_are_completed_stopped_by_a_token_or_handed_out_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public interface IFeed
                {
                    void Attach(ChannelWriter<int> sink);
                }

                public sealed class Hub : IDisposable
                {
                    private readonly Channel<int> _completedInDispose = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _stoppedByToken = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _fedByOthers = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _exposed = Channel.CreateUnbounded<int>();
                    private readonly BlockingCollection<int> _queue = new();
                    private readonly Channel<int> _passedToHelper = Channel.CreateUnbounded<int>();

                    public ChannelWriter<int> Input => _exposed.Writer;

                    public Hub(IFeed feed) => feed.Attach(_fedByOthers.Writer);

                    public async Task RunAsync(CancellationToken stoppingToken)
                    {
                        await foreach (var x in _completedInDispose.Reader.ReadAllAsync()) { }
                        await foreach (var x in _stoppedByToken.Reader.ReadAllAsync(stoppingToken)) { }
                        while (!stoppingToken.IsCancellationRequested && await _stoppedByToken.Reader.WaitToReadAsync()) { }
                        await foreach (var x in _fedByOthers.Reader.ReadAllAsync()) { }
                        await foreach (var x in _exposed.Reader.ReadAllAsync()) { }
                        foreach (var x in _queue.GetConsumingEnumerable()) { }
                        await foreach (var x in _passedToHelper.Reader.ReadAllAsync()) { }
                    }

                    public void Produce()
                    {
                        Finish(_passedToHelper.Writer);
                        _queue.Add(1);
                    }

                    private static void Finish(ChannelWriter<int> writer)
                    {
                        writer.TryWrite(0);
                        writer.TryComplete();
                    }

                    public void Dispose()
                    {
                        _completedInDispose.Writer.TryComplete();
                        _queue.CompleteAdding();
                    }
                }

                public static class Pipelines
                {
                    // Readers given by callers outside the compilation: their writers are not ours to judge.
                    public static async Task PrintAsync(ChannelReader<string> reader)
                    {
                        await foreach (var line in reader.ReadAllAsync())
                        {
                            Console.WriteLine(line);
                        }
                    }

                    public static ChannelReader<int> Numbers()
                    {
                        var channel = Channel.CreateUnbounded<int>();
                        _ = Task.Run(() =>
                        {
                            channel.Writer.TryWrite(1);
                            channel.Writer.Complete();
                        });
                        return channel.Reader;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Completion_through_helpers_records_guards_and_reads_that_end_otherwise_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                internal sealed record Pipe(Channel<int> Jobs);

                internal sealed class Producer
                {
                    private readonly ChannelWriter<int> _writer;

                    public Producer(ChannelWriter<int> writer) => _writer = writer ?? throw new ArgumentNullException(nameof(writer));

                    public void Finish() => _writer.TryComplete();
                }

                internal sealed class Worker
                {
                    private readonly Channel<int> _rows = Channel.CreateBounded<int>(100);
                    private readonly Channel<int> _viaProducer = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _viaRecord = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _optional = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _sentinel = Channel.CreateUnbounded<int>();
                    private readonly Channel<int> _streamed = Channel.CreateUnbounded<int>();
                    private readonly BlockingCollection<string?> _queue = new();
                    private Task _task = Task.CompletedTask;

                    public void Start() => _task = ProduceAsync(_rows);

                    private static async Task ProduceAsync(ChannelWriter<int> writer)
                    {
                        try
                        {
                            await writer.WriteAsync(1);
                        }
                        finally
                        {
                            writer.Complete();
                        }
                    }

                    public Producer MakeProducer() => new Producer(_viaProducer.Writer);

                    public void Wire()
                    {
                        var pipe = new Pipe(_viaRecord);
                        pipe.Jobs.Writer.TryComplete();
                    }

                    public void Dispose() => _optional?.Writer.TryComplete();

                    public IAsyncEnumerable<int> Stream() => _streamed.Reader.ReadAllAsync();

                    public async Task ConsumeAsync(CancellationToken token)
                    {
                        await foreach (var x in _rows.Reader.ReadAllAsync()) { }
                        await foreach (var x in _viaProducer.Reader.ReadAllAsync()) { }
                        await foreach (var x in _viaRecord.Reader.ReadAllAsync()) { }
                        await foreach (var x in _optional.Reader.ReadAllAsync()) { }
                        await foreach (var x in _streamed.Reader.ReadAllAsync().WithCancellation(token)) { }
                        await foreach (var x in _sentinel.Reader.ReadAllAsync())
                        {
                            if (x < 0)
                            {
                                break;
                            }
                        }

                        foreach (var message in _queue.GetConsumingEnumerable())
                        {
                            if (message is null)
                            {
                                return;
                            }
                        }

                        await using var first = _sentinel.Reader.ReadAllAsync().GetAsyncEnumerator();
                        _queue.Add("x");
                        _sentinel.Writer.TryWrite(1);
                        _streamed.Writer.TryWrite(1);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
