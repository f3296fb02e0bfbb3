using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.WriteAfterCompletionAnalyzer,
    ConcurrencyAnalyzers.Rules.WriteAfterCompletionCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class WriteAfterCompletionTests
    {
        [Fact]
        public Task A_trailer_written_after_the_writer_is_completed_moves_the_completion_after_it()
        {
            const string source = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class ReportExport
                {
                    public async Task ProduceAsync(ChannelWriter<string> writer, string[] rows)
                    {
                        foreach (var row in rows)
                        {
                            await writer.WriteAsync(row);
                        }

                        {|#1:writer.Complete()|};
                        await {|#0:writer.WriteAsync("-- end of report --")|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class ReportExport
                {
                    public async Task ProduceAsync(ChannelWriter<string> writer, string[] rows)
                    {
                        foreach (var row in rows)
                        {
                            await writer.WriteAsync(row);
                        }

                        await writer.WriteAsync("-- end of report --");
                        writer.Complete();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1)
                    .WithArguments("'writer' is completed at line 13 and written here afterwards", "WriteAsync throws ChannelClosedException"));
        }

        [Fact]
        public Task Completing_inside_the_loop_cuts_off_the_next_iterations_and_moves_after_the_loop()
        {
            const string source = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Batcher
                {
                    private readonly Channel<int[]> _batches = Channel.CreateUnbounded<int[]>();

                    public async Task PublishAsync(int[][] batches)
                    {
                        foreach (var batch in batches)
                        {
                            await {|#0:_batches.Writer.WriteAsync(batch)|};
                            {|#1:_batches.Writer.Complete()|};
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Batcher
                {
                    private readonly Channel<int[]> _batches = Channel.CreateUnbounded<int[]>();

                    public async Task PublishAsync(int[][] batches)
                    {
                        foreach (var batch in batches)
                        {
                            await _batches.Writer.WriteAsync(batch);
                        }

                        _batches.Writer.Complete();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1)
                    .WithArguments("'_batches.Writer' is completed at line 13 and written here afterwards", "WriteAsync throws ChannelClosedException"));
        }

        [Fact]
        public Task A_write_after_the_catch_that_completed_the_writer_is_reported_without_a_fix()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Uploader
                {
                    public async Task SendAsync(Stream input, ChannelWriter<byte[]> chunks)
                    {
                        try
                        {
                            var buffer = new byte[4096];
                            int read;
                            while ((read = await input.ReadAsync(buffer)) > 0)
                            {
                                await chunks.WriteAsync(buffer[..read]);
                            }
                        }
                        catch (IOException ex)
                        {
                            {|#1:chunks.TryComplete(ex)|};
                        }

                        {|#0:chunks.TryWrite(Array.Empty<byte>())|};
                        chunks.TryComplete();
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1)
                    .WithArguments("'chunks' is completed at line 21 and written here afterwards", "TryWrite returns false and the item is lost"));
        }

        [Fact]
        public Task A_helper_that_writes_called_after_the_completion_is_reported_at_the_call()
        {
            const string source = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Exporter
                {
                    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

                    public async Task FinishAsync()
                    {
                        {|#1:_lines.Writer.TryComplete()|};
                        await {|#0:AppendSummaryAsync()|};
                    }

                    private async Task AppendSummaryAsync()
                    {
                        await {|#2:_lines.Writer.WriteAsync("summary")|};
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1).WithLocation(2)
                    .WithArguments("'AppendSummaryAsync' writes to '_lines.Writer' (line 16) and is called here after '_lines.Writer' is completed at line 10", "WriteAsync throws ChannelClosedException"));
        }

        [Fact]
        public Task Fix_all_moves_each_completion_after_its_own_last_write()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Importer
                {
                    public async Task ImportAsync(ChannelWriter<string> rows, string[] lines)
                    {
                        rows.TryComplete();
                        foreach (var line in lines)
                        {
                            await [|rows.WriteAsync(line)|];
                        }
                    }

                    public void Queue(BlockingCollection<int> jobs)
                    {
                        jobs.Add(1);
                        jobs.CompleteAdding();
                        [|jobs.Add(2)|];
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Importer
                {
                    public async Task ImportAsync(ChannelWriter<string> rows, string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            await rows.WriteAsync(line);
                        }

                        rows.TryComplete();
                    }

                    public void Queue(BlockingCollection<int> jobs)
                    {
                        jobs.Add(1);
                        jobs.Add(2);
                        jobs.CompleteAdding();
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task Completing_while_the_started_producer_still_writes_is_reported_in_the_producer()
        {
            const string source = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Pipeline
                {
                    public async Task<int> RunAsync(int[] input)
                    {
                        var channel = Channel.CreateUnbounded<int>();
                        var producer = Task.Run(async () =>
                        {
                            foreach (var item in input)
                            {
                                await {|#0:channel.Writer.WriteAsync(item)|};
                            }
                        });

                        {|#1:channel.Writer.Complete()|};
                        var sum = 0;
                        await foreach (var item in channel.Reader.ReadAllAsync())
                        {
                            sum += item;
                        }

                        await producer;
                        return sum;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1)
                    .WithArguments("'channel.Writer' is completed at line 17 without waiting for the Task.Run work started at line 9, which writes it here", "WriteAsync throws ChannelClosedException"));
        }

        [Fact]
        public Task Publishing_after_Stop_completed_the_field_writer_loses_the_event()
        {
            const string source = """
                using System.Threading.Channels;

                public sealed record AuditEvent(string User, string Action);

                public sealed class AuditTrail
                {
                    private readonly Channel<AuditEvent> _events = Channel.CreateUnbounded<AuditEvent>();

                    public void Publish(AuditEvent e) => {|#0:_events.Writer.TryWrite(e)|};

                    public void Stop() => {|#1:_events.Writer.Complete()|};
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1)
                    .WithArguments("'_events.Writer' is completed in 'Stop' (line 11) and written here in 'Publish', which can run afterwards", "TryWrite returns false and the item is lost"));
        }

        [Fact]
        public Task Writes_that_cope_with_a_completed_writer_are_not_reported()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class Outbox : IAsyncDisposable
                {
                    private readonly Channel<string> _mail = Channel.CreateUnbounded<string>();
                    private readonly object _gate = new();
                    private bool _closed;
                    private Task _pump = Task.CompletedTask;

                    public bool TryQueue(string message) => _mail.Writer.TryWrite(message);

                    public void QueueOrDrop(string message)
                    {
                        if (!_mail.Writer.TryWrite(message))
                        {
                            Console.WriteLine("outbox closed, dropped " + message);
                        }
                    }

                    public async Task QueueAsync(string message, CancellationToken token)
                    {
                        try
                        {
                            await _mail.Writer.WriteAsync(message, token);
                        }
                        catch (ChannelClosedException)
                        {
                            Console.WriteLine("outbox closed");
                        }
                    }

                    public void QueueUnderLock(string message)
                    {
                        lock (_gate)
                        {
                            if (!_closed)
                            {
                                _mail.Writer.TryWrite(message);
                            }
                        }
                    }

                    public void Close()
                    {
                        lock (_gate)
                        {
                            _closed = true;
                            _mail.Writer.Complete();
                        }
                    }

                    public async ValueTask DisposeAsync()
                    {
                        await _pump;
                        _mail.Writer.TryComplete();
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Completion_after_the_last_write_or_after_the_producers_finish_is_not_reported()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class FanIn
                {
                    public async Task ProduceAsync(ChannelWriter<int> writer, IEnumerable<int> items)
                    {
                        try
                        {
                            foreach (var item in items)
                            {
                                await writer.WriteAsync(item);
                            }
                        }
                        finally
                        {
                            writer.Complete();
                        }
                    }

                    public async Task MergeAsync(ChannelWriter<int> writer, int[][] sources)
                    {
                        var producers = sources.Select(source => Task.Run(async () =>
                        {
                            foreach (var item in source)
                            {
                                await writer.WriteAsync(item);
                            }
                        })).ToList();

                        await Task.WhenAll(producers);
                        writer.Complete();
                    }

                    public async Task SingleProducerAsync(ChannelWriter<int> writer)
                    {
                        var producer = Task.Run(() => writer.TryWrite(1));
                        await producer;
                        writer.Complete();
                    }

                    public async Task StopAtSentinelAsync(ChannelWriter<int> writer, int[] items)
                    {
                        foreach (var item in items)
                        {
                            if (item < 0)
                            {
                                writer.Complete();
                                break;
                            }

                            await writer.WriteAsync(item);
                        }
                    }

                    public async Task OneChannelPerShardAsync(int[][] shards)
                    {
                        foreach (var shard in shards)
                        {
                            var channel = Channel.CreateBounded<int>(16);
                            foreach (var item in shard)
                            {
                                await channel.Writer.WriteAsync(item);
                            }

                            channel.Writer.Complete();
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_worker_loop_that_Stop_waits_for_before_completing_is_not_reported()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class Sampler
                {
                    private readonly Channel<double> _samples = Channel.CreateBounded<double>(100);
                    private readonly CancellationTokenSource _stop = new();
                    private Task _loop = Task.CompletedTask;

                    public void Start() => _loop = Task.Run(SampleAsync);

                    private async Task SampleAsync()
                    {
                        while (!_stop.IsCancellationRequested)
                        {
                            await _samples.Writer.WriteAsync(Read());
                        }
                    }

                    public async Task StopAsync()
                    {
                        _stop.Cancel();
                        await _loop;
                        _samples.Writer.Complete();
                    }

                    private static double Read() => 1.0;
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Shapes_that_only_look_like_a_late_write_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public sealed class Spooler
                {
                    private readonly BlockingCollection<string> _jobs = new();
                    private readonly List<string> _pending = new();
                    private Channel<int> _current = Channel.CreateUnbounded<int>();
                    private Channel<int>? _optional;

                    // A private helper the completing member calls before completing.
                    public void Finish()
                    {
                        AddRemaining();
                        _jobs.CompleteAdding();
                    }

                    private void AddRemaining()
                    {
                        foreach (var job in _pending)
                        {
                            _jobs.Add(job);
                        }
                    }

                    // Early-return guard on the collection's own state.
                    public bool Submit(string job)
                    {
                        if (_jobs.IsAddingCompleted)
                        {
                            return false;
                        }

                        return _jobs.TryAdd(job);
                    }

                    // A new channel between the completion and the write.
                    public void Rotate()
                    {
                        _current.Writer.Complete();
                        _current = Channel.CreateUnbounded<int>();
                        _current.Writer.TryWrite(0);
                    }

                    public void Close() => _optional?.Writer.TryComplete();

                    // Producers joined by WhenAll's own arguments before the completion.
                    public async Task MergeAsync(ChannelWriter<int> writer, int[] a, int[] b)
                    {
                        await Task.WhenAll(
                            Task.Run(async () => { foreach (var x in a) await writer.WriteAsync(x); }),
                            Task.Run(async () => { foreach (var x in b) await writer.WriteAsync(x); }));
                        writer.Complete();
                    }

                    // A crawler feeds its own channel and completes it when its pending count runs out.
                    public async Task CrawlAsync(Channel<string> frontier, Func<string, string[]> links)
                    {
                        var pending = 1;
                        await foreach (var url in frontier.Reader.ReadAllAsync())
                        {
                            foreach (var link in links(url))
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
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_completion_in_a_finally_reaches_the_helper_called_after_the_try()
        {
            const string source = """
                using System;
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class LedgerExport
                {
                    public async Task ExportAsync(int[] rows, Func<Task> flush)
                    {
                        var lines = Channel.CreateUnbounded<string>();
                        try
                        {
                            foreach (var row in rows)
                            {
                                await lines.Writer.WriteAsync(row.ToString());
                            }

                            await flush();
                        }
                        finally
                        {
                            {|#1:lines.Writer.TryComplete()|};
                        }

                        await {|#0:WriteTotalsAsync(lines.Writer, rows.Length)|};
                    }

                    private static Task WriteTotalsAsync(ChannelWriter<string> writer, int count)
                    {
                        Task.Run(() => { try { Console.WriteLine(count); } finally { Console.WriteLine("done"); } });
                        return {|#2:writer.WriteAsync("total " + count)|}.AsTask();
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC040").WithLocation(0).WithLocation(1).WithLocation(2)
                    .WithArguments("'WriteTotalsAsync' writes to 'writer' (line 30) and is called here after 'lines.Writer' is completed at line 21", "WriteAsync throws ChannelClosedException"));
        }

        [Fact]
        public Task The_fix_does_not_move_a_completion_past_a_wait_for_the_consumer()
        {
            const string source = """
                using System.Threading.Channels;
                using System.Threading.Tasks;

                public class Report
                {
                    public async Task WriteAsync(Channel<string> channel, Task consumer)
                    {
                        channel.Writer.Complete();
                        await consumer;
                        await [|channel.Writer.WriteAsync("late")|];
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_producer_lambda_with_its_own_finally_inside_a_try_catch_is_analysed_on_its_own_graph()
        {
            // A lambda's control flow graph links its root region to the region of the code around it;
            // reachability inside the lambda must not wander into the outer graph's try/catch.
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading;

                public class Scanner
                {
                    public void Run(IEnumerable<string> roots)
                    {
                        var work = new BlockingCollection<string>();
                        try
                        {
                            foreach (var root in roots)
                            {
                                Console.WriteLine(root);
                            }

                            var scanner = new Thread(() =>
                            {
                                try
                                {
                                    work.Add("a");
                                }
                                finally
                                {
                                    work.CompleteAdding();
                                }

                                Console.WriteLine("scanned");
                            });
                            scanner.Start();
                            scanner.Join();
                        }
                        catch (InvalidOperationException ex)
                        {
                            Console.WriteLine(ex.Message);
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
