using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Sleep.Ingest;

public sealed record IngestRecord(long Offset, string Payload);

/// <summary>
/// Three-stage pipeline: tail a log source, normalise lines, write them to a sink in batches.
/// </summary>
public sealed class IngestPipeline
{
    private const int BatchSize = 100;

    private readonly Channel<IngestRecord> _raw = Channel.CreateBounded<IngestRecord>(1024);
    private readonly Channel<IngestRecord> _parsed = Channel.CreateBounded<IngestRecord>(1024);
    private readonly TimeSpan _parseThrottle;
    private long _written;

    public IngestPipeline(TimeSpan parseThrottle) => _parseThrottle = parseThrottle;

    public long Written => Interlocked.Read(ref _written);

    public async IAsyncEnumerable<IngestRecord> TailAsync(
        TextReader reader,
        bool follow,
        [EnumeratorCancellation] CancellationToken token = default)
    {
        long offset = 0;
        while (!token.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(token).ConfigureAwait(false);
            if (line is null)
            {
                if (!follow)
                {
                    yield break;
                }

                // Writer has not appended anything yet.
                Thread.Sleep(200); // expect: CONC020
                continue;
            }

            yield return new IngestRecord(offset++, line);
        }
    }

    public Task RunAsync(TextReader source, Func<IReadOnlyList<IngestRecord>, Task> sink, CancellationToken token)
    {
        var produce = Task.Run(async () =>
        {
            await foreach (var item in TailAsync(source, follow: false, token).ConfigureAwait(false))
            {
                await _raw.Writer.WriteAsync(item, token).ConfigureAwait(false);
            }

            _raw.Writer.Complete();
        }, token);

        var parse = Task.Run(async () =>
        {
            await foreach (var item in _raw.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (item.Payload.StartsWith('#'))
                {
                    continue;
                }

                // The downstream parser service rejects bursts.
                Thread.Sleep(_parseThrottle); // expect: CONC020
                await _parsed.Writer.WriteAsync(item with { Payload = item.Payload.Trim() }, token).ConfigureAwait(false);
            }

            _parsed.Writer.Complete();
        }, token);

        var write = WriteBatchesAsync(sink, token);
        return Task.WhenAll(produce, parse, write);
    }

    private async Task WriteBatchesAsync(Func<IReadOnlyList<IngestRecord>, Task> sink, CancellationToken token)
    {
        var batch = new List<IngestRecord>(BatchSize);
        await foreach (var item in _parsed.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            batch.Add(item);
            if (batch.Count < BatchSize)
            {
                continue;
            }

            await sink(batch.ToArray()).ConfigureAwait(false);
            Interlocked.Add(ref _written, batch.Count);
            batch.Clear();
            Thread.Sleep(1); // give the parser a chance to refill the channel
        }

        if (batch.Count > 0)
        {
            await sink(batch.ToArray()).ConfigureAwait(false);
            Interlocked.Add(ref _written, batch.Count);
        }
    }
}
