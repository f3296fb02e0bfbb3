using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Scheduling
{
    public sealed class MigrationStep
    {
        public MigrationStep(string name, Action<int> apply)
        {
            Name = name;
            Apply = apply;
        }

        public string Name { get; }

        public Action<int> Apply { get; }
    }

    /// <summary>
    /// Collects schema-migration steps during planning and executes them later, after the
    /// operator confirmed the plan.
    /// </summary>
    public sealed class DeferredStepRunner
    {
        private readonly List<Action> _pending = new();
        private readonly List<string> _journal = new();

        public IReadOnlyList<string> Journal => _journal;

        public void Plan(IReadOnlyList<MigrationStep> steps)
        {
            for (int i = 0; i < steps.Count; i++)
            {
                _journal.Add($"planned #{i}: {steps[i].Name}");
                _pending.Add(() => steps[i].Apply(i));                 // expect: CONC004
            }
        }

        public void PlanFixed(IReadOnlyList<MigrationStep> steps)
        {
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var ordinal = i;
                _journal.Add($"planned #{ordinal}: {step.Name}");
                _pending.Add(() => step.Apply(ordinal));
            }
        }

        public void RunAll()
        {
            foreach (var action in _pending)
            {
                action();
            }
            _pending.Clear();
        }
    }

    /// <summary>Pushes a cache-invalidation message to every shard of the cluster.</summary>
    public sealed class FanOutNotifier
    {
        private readonly Action<string, int> _send;
        private int _queued;

        public FanOutNotifier(Action<string, int> send)
        {
            _send = send;
        }

        public int Queued => Volatile.Read(ref _queued);

        public void NotifyShards(string message, int shardCount)
        {
            for (int shard = 0; shard < shardCount; shard++)
            {
                ThreadPool.QueueUserWorkItem(_ => _send(message, shard));   // expect: CONC004
                Interlocked.Increment(ref _queued);
            }
        }

        public void NotifyShardsFixed(string message, int shardCount)
        {
            for (int shard = 0; shard < shardCount; shard++)
            {
                int target = shard;
                ThreadPool.QueueUserWorkItem(_ => _send(message, target));
                Interlocked.Increment(ref _queued);
            }
        }

        public Task NotifyWithTasksAsync(string message, int shardCount)
        {
            var tasks = new Task[shardCount];
            for (int shard = 0; shard < shardCount; shard++)
            {
                tasks[shard] = Task.Run(() =>
                {
                    var payload = $"{message} (fan-out)";
                    _send(payload, shard);                              // expect: CONC004
                });
            }
            return Task.WhenAll(tasks);
        }

        public void NotifyParallel(string message, int shardCount)
        {
            Parallel.For(0, shardCount, shard => _send(message, shard));
        }

        public int CountRecipientsByLength(IReadOnlyList<string> recipients, int minLength)
        {
            int total = 0;
            for (int len = minLength; len < minLength + 3; len++)
            {
                total += recipients.Count(r => r.Length == len);
            }
            return total;
        }

        public void NotifyEach(IEnumerable<int> shards, string message)
        {
            var tasks = new List<Task>();
            foreach (var shard in shards)
            {
                tasks.Add(Task.Run(() => _send(message, shard)));
            }
            Task.WaitAll(tasks.ToArray());
        }
    }
}
