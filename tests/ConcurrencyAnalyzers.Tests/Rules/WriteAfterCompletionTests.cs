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
    }
}
