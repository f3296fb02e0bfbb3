using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Replication
{
    public sealed record ChangeEvent(long Lsn, string Table, string Operation, IReadOnlyDictionary<string, object?> Row);

    public sealed class ReplicaConflictException : Exception
    {
        public ReplicaConflictException(long lsn, string message)
            : base($"Conflict at LSN {lsn}: {message}")
        {
            Lsn = lsn;
        }

        public long Lsn { get; }
    }

    public interface IChangeFeed
    {
        IAsyncEnumerable<ChangeEvent> ReadChangesAsync(long fromLsn, CancellationToken cancellationToken);
    }

    public interface IReplicaStore
    {
        Task ApplyAsync(ChangeEvent change, CancellationToken cancellationToken);
        Task SaveCheckpointAsync(long lsn, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Applies the primary's change feed to a read replica. The feed is pulled ahead of
    /// the applier into a bounded buffer; applied LSNs are checkpointed asynchronously.
    /// </summary>
    public sealed class ReplicationApplier : IAsyncDisposable
    {
        private const int CheckpointEvery = 500;

        private readonly Channel<ChangeEvent> _changes = Channel.CreateBounded<ChangeEvent>(
            new BoundedChannelOptions(2_048)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
                SingleWriter = true,
            });

        private readonly Channel<long> _acks = Channel.CreateUnbounded<long>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        private readonly IChangeFeed _feed;
        private readonly IReplicaStore _replica;
        private readonly CancellationTokenSource _cts = new();
        private Task _pump = Task.CompletedTask;
        private Task _apply = Task.CompletedTask;
        private Task _checkpoints = Task.CompletedTask;

        public ReplicationApplier(IChangeFeed feed, IReplicaStore replica)
        {
            _feed = feed;
            _replica = replica;
        }

        public Task Completion => _apply;

        public void Start(long fromLsn)
        {
            _pump = Task.Run(() => PumpAsync(fromLsn, _cts.Token));
            _apply = Task.Run(() => ApplyAsync(_cts.Token));
            _checkpoints = Task.Run(CheckpointAsync);
        }

        private async Task PumpAsync(long fromLsn, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var change in _feed.ReadChangesAsync(fromLsn, cancellationToken))
                {
                    await _changes.Writer.WriteAsync(change, cancellationToken);
                }
            }
            catch (ChannelClosedException)
            {
                // The applier stopped; no point pulling more from the primary.
                return;
            }

            _changes.Writer.TryComplete();
        }

        private async Task ApplyAsync(CancellationToken cancellationToken)
        {
            await foreach (var change in _changes.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await _replica.ApplyAsync(change, cancellationToken);
                }
                catch (ReplicaConflictException ex)
                {
                    // The replica has diverged. Stop the feed and surface the error;
                    // an operator has to re-seed before replication can resume.
                    _changes.Writer.TryComplete(ex);
                    throw;
                }

                await _acks.Writer.WriteAsync(change.Lsn, cancellationToken);
            }
        }

        private async Task CheckpointAsync()
        {
            long pending = 0;
            long lastLsn = -1;

            await foreach (var lsn in _acks.Reader.ReadAllAsync()) // expect: CONC042
            {
                lastLsn = lsn;
                if (++pending < CheckpointEvery)
                {
                    continue;
                }

                await _replica.SaveCheckpointAsync(lastLsn, CancellationToken.None);
                pending = 0;
            }

            if (pending > 0)
            {
                await _replica.SaveCheckpointAsync(lastLsn, CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _cts.Cancel();

            try
            {
                await Task.WhenAll(_pump, _apply, _checkpoints);
            }
            catch (OperationCanceledException)
            {
                // Expected on shutdown.
            }
            catch (ReplicaConflictException)
            {
                // Already surfaced through Completion.
            }

            _cts.Dispose();
        }
    }
}
