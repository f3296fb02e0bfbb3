using System;
using System.Collections.Generic;
using System.Linq;

namespace Corpus.Locks2.FeatureFlagStore;

public interface IFlagLogger
{
    void Info(string message);

    void Warn(string message);
}

public sealed record FlagChange(string Flag, bool? Previous, bool Current, string ChangedBy, DateTimeOffset At);

internal static class FlagAuditJournal
{
    private const int Capacity = 5_000;

    private static readonly object JournalGate = new();
    private static readonly List<FlagChange> Journal = new();

    public static void Record(FlagChange change)
    {
        lock (JournalGate)
        {
            Journal.Add(change);
            if (Journal.Count > Capacity)
            {
                Journal.RemoveRange(0, Journal.Count - Capacity);
            }
        }
    }

    public static IReadOnlyList<FlagChange> Since(DateTimeOffset cutoff)
    {
        lock (JournalGate)
        {
            return Journal.Where(c => c.At >= cutoff).ToList();
        }
    }

    // Used after a failover to rebuild a replica's flag table from the journal.
    public static int ReplayInto(FeatureFlagStore store, DateTimeOffset cutoff)
    {
        var applied = 0;
        lock (JournalGate)
        {
            foreach (var change in Journal)
            {
                if (change.At < cutoff)
                {
                    continue;
                }

                store.ApplyReplayed(change); // expect: CONC030
                applied++;
            }
        }

        return applied;
    }
}

public sealed class FeatureFlagStore
{
    private readonly object _flagsSync = new();
    private readonly Dictionary<string, bool> _flags = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, HashSet<string>> _tenantOverrides = new(StringComparer.OrdinalIgnoreCase);
    private readonly IFlagLogger _log;
    private long _version;

    public FeatureFlagStore(IFlagLogger log)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public long Version
    {
        get
        {
            lock (_flagsSync)
            {
                return _version;
            }
        }
    }

    public bool IsEnabled(string flag, string? tenant = null)
    {
        lock (_flagsSync)
        {
            if (tenant is not null
                && _tenantOverrides.TryGetValue(flag, out var tenants)
                && tenants.Contains(tenant))
            {
                return true;
            }

            return _flags.TryGetValue(flag, out var enabled) && enabled;
        }
    }

    public void Set(string flag, bool enabled, string changedBy)
    {
        ValidateName(flag);
        lock (_flagsSync)
        {
            bool? previous = _flags.TryGetValue(flag, out var current) ? current : null;
            if (previous == enabled)
            {
                return;
            }

            _flags[flag] = enabled;
            _version++;
            FlagAuditJournal.Record(new FlagChange(flag, previous, enabled, changedBy, DateTimeOffset.UtcNow)); // expect: CONC030
        }

        _log.Info($"Flag '{flag}' set to {enabled} by {changedBy}.");
    }

    public void EnableForTenant(string flag, string tenant, string changedBy)
    {
        ValidateName(flag);
        if (string.IsNullOrWhiteSpace(tenant))
        {
            throw new ArgumentException("Tenant is required.", nameof(tenant));
        }

        bool added;
        lock (_flagsSync)
        {
            if (!_tenantOverrides.TryGetValue(flag, out var tenants))
            {
                tenants = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                _tenantOverrides.Add(flag, tenants);
            }

            added = tenants.Add(tenant);
            if (added)
            {
                _version++;
            }
        }

        // Journal outside the flag lock: the journal may be slow when it trims.
        if (added)
        {
            FlagAuditJournal.Record(new FlagChange($"{flag}@{tenant}", null, true, changedBy, DateTimeOffset.UtcNow));
            _log.Info($"Flag '{flag}' enabled for tenant {tenant} by {changedBy}.");
        }
    }

    public IReadOnlyDictionary<string, bool> Snapshot()
    {
        lock (_flagsSync)
        {
            return new Dictionary<string, bool>(_flags, StringComparer.OrdinalIgnoreCase);
        }
    }

    public int RecoverFromJournal(TimeSpan lookback)
    {
        var applied = FlagAuditJournal.ReplayInto(this, DateTimeOffset.UtcNow - lookback);
        if (applied == 0)
        {
            _log.Warn("Journal replay found nothing to apply.");
        }

        return applied;
    }

    internal void ApplyReplayed(FlagChange change)
    {
        if (change.Flag.Contains('@'))
        {
            // Tenant overrides are re-provisioned by the tenant service, not replayed.
            return;
        }

        lock (_flagsSync)
        {
            _flags[change.Flag] = change.Current;
            _version++;
        }
    }

    private static void ValidateName(string flag)
    {
        if (string.IsNullOrWhiteSpace(flag) || flag.Contains('@'))
        {
            throw new ArgumentException("Flag names must be non-empty and must not contain '@'.", nameof(flag));
        }
    }
}
