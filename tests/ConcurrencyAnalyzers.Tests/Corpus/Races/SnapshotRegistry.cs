using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Registry
{
    public sealed record ServiceEndpoint(string Name, Uri Address, int Weight);

    /// <summary>
    /// Copy-on-write registry of downstream endpoints. Readers grab the current immutable
    /// snapshot without locking; writers publish a new snapshot.
    /// </summary>
    public sealed class EndpointRegistry
    {
        private ImmutableList<ServiceEndpoint> _endpoints = ImmutableList<ServiceEndpoint>.Empty;
        private ImmutableDictionary<string, int> _failures = ImmutableDictionary<string, int>.Empty;
        private ImmutableHashSet<string> _drained = ImmutableHashSet<string>.Empty;

        public ImmutableList<ServiceEndpoint> Endpoints => Volatile.Read(ref _endpoints);

        public ImmutableDictionary<string, int> Failures => Volatile.Read(ref _failures);

        public bool IsDrained(string name) => Volatile.Read(ref _drained).Contains(name);

        // Called once at startup with everything the discovery service returned.
        public void RegisterDiscovered(IEnumerable<ServiceEndpoint> discovered)
        {
            Parallel.ForEach(discovered, endpoint =>
            {
                if (!Probe(endpoint)) return;
                _endpoints = _endpoints.Add(endpoint);          // expect: CONC001
            });
        }

        public void Register(ServiceEndpoint endpoint)
        {
            while (true)
            {
                var current = Volatile.Read(ref _endpoints);
                var updated = current.RemoveAll(e => e.Name == endpoint.Name).Add(endpoint);
                if (ReferenceEquals(Interlocked.CompareExchange(ref _endpoints, updated, current), current))
                {
                    return;
                }
            }
        }

        public void RegisterDiscoveredSafe(IEnumerable<ServiceEndpoint> discovered)
        {
            Parallel.ForEach(discovered, endpoint =>
            {
                if (Probe(endpoint))
                {
                    Register(endpoint);
                }
            });
        }

        public void ReplaceAll(IEnumerable<ServiceEndpoint> endpoints)
        {
            var fresh = ImmutableList.CreateRange(endpoints.Where(Probe));
            Interlocked.Exchange(ref _endpoints, fresh);
        }

        public void RecordFailures(IReadOnlyList<string> failedNames)
        {
            Parallel.ForEach(failedNames, name =>
            {
                ImmutableInterlocked.AddOrUpdate(ref _failures, name, 1, (_, count) => count + 1);
            });
        }

        public async Task DrainAsync(IReadOnlyList<string> names, Func<string, Task> drainOne)
        {
            var tasks = new List<Task>();
            foreach (var name in names)
            {
                tasks.Add(Task.Run(async () =>
                {
                    await drainOne(name).ConfigureAwait(false);
                    _drained = _drained.Add(name);              // expect: CONC001
                }));
            }
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        public async Task DrainSafeAsync(IReadOnlyList<string> names, Func<string, Task> drainOne)
        {
            var tasks = new List<Task>();
            foreach (var name in names)
            {
                tasks.Add(Task.Run(async () =>
                {
                    await drainOne(name).ConfigureAwait(false);
                    ImmutableInterlocked.Update(ref _drained, set => set.Add(name));
                }));
            }
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        public void ResetDrained()
        {
            Interlocked.Exchange(ref _drained, ImmutableHashSet<string>.Empty);
        }

        private static bool Probe(ServiceEndpoint endpoint)
        {
            return endpoint.Weight > 0 && endpoint.Address.IsAbsoluteUri;
        }
    }
}
