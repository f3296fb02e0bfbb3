using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Search
{
    public sealed record IndexDocument(string Id, string Title, string Body, DateTimeOffset Modified);

    public interface IDocumentSource
    {
        string Name { get; }
        IAsyncEnumerable<IndexDocument> ReadAllAsync(CancellationToken cancellationToken);
    }

    public interface IShardWriter
    {
        Task WriteBatchAsync(int shard, IReadOnlyList<IndexDocument> documents, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Routes documents to shards by a stable hash of the id. Each shard has its own
    /// bounded queue so a slow shard only back-pressures the producers that feed it.
    /// </summary>
    internal sealed class ShardRouter
    {
        private readonly ChannelWriter<IndexDocument>[] _shards;

        public ShardRouter(ChannelWriter<IndexDocument>[] shards)
        {
            _shards = shards;
        }

        public async ValueTask RouteAsync(IndexDocument document, CancellationToken cancellationToken)
        {
            var writer = _shards[ShardOf(document.Id, _shards.Length)];

            // Fast path avoids the async state machine when the shard has room.
            if (writer.TryWrite(document))
            {
                return;
            }

            while (await writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                if (writer.TryWrite(document))
                {
                    return;
                }
            }

            throw new InvalidOperationException($"Shard for document '{document.Id}' was closed while indexing.");
        }

        internal static int ShardOf(string id, int shardCount)
        {
            // FNV-1a; string.GetHashCode is randomized per process.
            uint hash = 2166136261;
            foreach (char c in id)
            {
                hash ^= c;
                hash *= 16777619;
            }

            return (int)(hash % (uint)shardCount);
        }
    }

    public sealed class ShardedIndexer
    {
        private const int BatchSize = 128;

        private readonly IShardWriter _shardWriter;
        private readonly int _shardCount;
        private long _indexed;

        public ShardedIndexer(IShardWriter shardWriter, int shardCount)
        {
            _shardWriter = shardWriter;
            _shardCount = shardCount;
        }

        public long Indexed => Interlocked.Read(ref _indexed);

        public async Task RebuildAsync(IReadOnlyList<IDocumentSource> sources, CancellationToken cancellationToken)
        {
            var shards = new Channel<IndexDocument>[_shardCount];
            for (int i = 0; i < shards.Length; i++)
            {
                shards[i] = Channel.CreateBounded<IndexDocument>(new BoundedChannelOptions(BatchSize * 4)
                {
                    FullMode = BoundedChannelFullMode.Wait,
                    SingleReader = true,
                });
            }

            var consumers = new Task[shards.Length];
            for (int i = 0; i < shards.Length; i++)
            {
                var shard = i;
                consumers[i] = Task.Run(() => ConsumeShardAsync(shard, shards[shard].Reader, cancellationToken), cancellationToken);
            }

            var router = new ShardRouter(shards.Select(s => s.Writer).ToArray());
            var producers = sources.Select(source => ProduceAsync(source, router, cancellationToken)).ToList();

            try
            {
                await Task.WhenAll(producers).ConfigureAwait(false);
            }
            finally
            {
                // Every producer has finished (or failed); let each shard flush what it has.
                foreach (var channel in shards)
                {
                    channel.Writer.TryComplete();
                }
            }

            await Task.WhenAll(consumers).ConfigureAwait(false);
        }

        private static async Task ProduceAsync(IDocumentSource source, ShardRouter router, CancellationToken cancellationToken)
        {
            await foreach (var document in source.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await router.RouteAsync(document, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task ConsumeShardAsync(int shard, ChannelReader<IndexDocument> reader, CancellationToken cancellationToken)
        {
            var batch = new List<IndexDocument>(BatchSize);

            await foreach (var document in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(document);
                if (batch.Count == BatchSize)
                {
                    await FlushAsync(shard, batch, cancellationToken).ConfigureAwait(false);
                }
            }

            await FlushAsync(shard, batch, cancellationToken).ConfigureAwait(false);
        }

        private async Task FlushAsync(int shard, List<IndexDocument> batch, CancellationToken cancellationToken)
        {
            if (batch.Count == 0)
            {
                return;
            }

            await _shardWriter.WriteBatchAsync(shard, batch.ToArray(), cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _indexed, batch.Count);
            batch.Clear();
        }
    }
}
