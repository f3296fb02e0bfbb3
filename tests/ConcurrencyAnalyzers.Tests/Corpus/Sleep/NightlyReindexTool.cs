using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Cli.Reindex;

public static class NightlyReindexProgram
{
    public static async Task<int> Main(string[] args)
    {
        var partitions = args.Length > 0 && int.TryParse(args[0], out var p) ? p : 8;
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        var indexer = new PartitionIndexer();
        var stopwatch = Stopwatch.StartNew();

        using var progressCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var progress = ReportProgressAsync(indexer, partitions, progressCts.Token);

        var work = Enumerable.Range(0, partitions)
            .Select(partition => Task.Run(() => indexer.ReindexAsync(partition, cts.Token)))
            .ToList();

        try
        {
            await Task.WhenAll(work).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Reindex cancelled.");
            return 130;
        }
        finally
        {
            progressCts.Cancel();
            await progress.ConfigureAwait(false);
        }

        Console.WriteLine($"Reindexed {indexer.DocumentsIndexed} documents in {partitions} partitions ({stopwatch.Elapsed:g}).");
        return 0;
    }

    private static async Task ReportProgressAsync(PartitionIndexer indexer, int partitions, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                Console.WriteLine($"[{DateTime.Now:T}] {indexer.PartitionsDone}/{partitions} partitions, {indexer.DocumentsIndexed} documents");
                await Task.Delay(TimeSpan.FromSeconds(2), token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

public sealed class PartitionIndexer
{
    private long _documents;
    private int _partitionsDone;

    public long DocumentsIndexed => Interlocked.Read(ref _documents);

    public int PartitionsDone => Volatile.Read(ref _partitionsDone);

    public async Task ReindexAsync(int partition, CancellationToken token)
    {
        var batches = 5 + partition % 3;
        for (var batch = 0; batch < batches; batch++)
        {
            token.ThrowIfCancellationRequested();
            var docs = await FetchBatchAsync(partition, batch, token).ConfigureAwait(false);
            Interlocked.Add(ref _documents, docs.Count);
        }

        Interlocked.Increment(ref _partitionsDone);
    }

    private static async Task<IReadOnlyList<string>> FetchBatchAsync(int partition, int batch, CancellationToken token)
    {
        // Stand-in for the search cluster's scroll API latency.
        await Task.Delay(50, token).ConfigureAwait(false);
        return Enumerable.Range(0, 200).Select(i => $"p{partition}-b{batch}-d{i}").ToList();
    }
}
