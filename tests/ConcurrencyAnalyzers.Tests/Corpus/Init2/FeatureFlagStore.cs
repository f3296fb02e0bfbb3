using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.FeatureFlagStore;

public sealed record FlagDefinition(string Name, bool Enabled, int RolloutPercent);

/// <summary>
/// Process-wide feature flag store. Flags come from flags.json and are refreshed every minute;
/// per-tenant overrides are read from the overrides directory on first use.
/// </summary>
public sealed class FlagStore : IDisposable
{
    private static FlagStore? s_default;

    private readonly string _flagsPath;
    private readonly string _overridesDirectory;
    private readonly Timer _refreshTimer;
    private readonly ConcurrentDictionary<string, bool> _tenantOverrides = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long> _evaluations = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _unknownFlagHits = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyDictionary<string, FlagDefinition> _flags;
    private bool _overridesLoaded;

    public FlagStore(string flagsPath, string overridesDirectory)
    {
        _flagsPath = flagsPath;
        _overridesDirectory = overridesDirectory;
        _flags = ReadFlags(flagsPath);
        _refreshTimer = new Timer(_ => Refresh(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public static FlagStore Default
    {
        get
        {
            if (s_default == null) // expect: CONC050
                s_default = new FlagStore("config/flags.json", "config/overrides");
            return s_default;
        }
    }

    public bool IsEnabled(string flag, string tenantId)
    {
        EnsureOverridesLoaded();
        _evaluations.AddOrUpdate(flag, 1, static (_, n) => n + 1);

        if (_tenantOverrides.TryGetValue($"{tenantId}:{flag}", out var forced))
            return forced;

        var snapshot = Volatile.Read(ref _flags);
        if (!snapshot.TryGetValue(flag, out var definition))
        {
            // Typos in flag names show up on the "unknown flags" dashboard.
            _unknownFlagHits[flag] = _unknownFlagHits.GetValueOrDefault(flag) + 1; // expect: CONC052
            return false;
        }

        return definition.Enabled && Bucket(tenantId, flag) < definition.RolloutPercent;
    }

    public IReadOnlyDictionary<string, long> EvaluationCounts() =>
        _evaluations.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

    private void EnsureOverridesLoaded()
    {
        if (!_overridesLoaded) // expect: CONC050
        {
            foreach (var file in Directory.EnumerateFiles(_overridesDirectory, "*.json"))
            {
                var tenant = Path.GetFileNameWithoutExtension(file);
                var values = JsonSerializer.Deserialize<Dictionary<string, bool>>(File.ReadAllText(file))
                    ?? new Dictionary<string, bool>();
                foreach (var (flag, enabled) in values)
                    _tenantOverrides.TryAdd($"{tenant}:{flag}", enabled);
            }
            _overridesLoaded = true;
        }
    }

    private void Refresh()
    {
        try
        {
            // Build the new snapshot completely, then swap it in atomically.
            var fresh = ReadFlags(_flagsPath);
            Interlocked.Exchange(ref _flags, fresh);
        }
        catch (IOException)
        {
            // Keep serving the previous snapshot; the next tick will retry.
        }
    }

    private static IReadOnlyDictionary<string, FlagDefinition> ReadFlags(string path)
    {
        var list = JsonSerializer.Deserialize<List<FlagDefinition>>(File.ReadAllText(path))
            ?? new List<FlagDefinition>();
        return list.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    private static int Bucket(string tenantId, string flag)
    {
        // FNV-1a so a tenant lands in the same bucket across restarts and instances.
        uint hash = 2166136261;
        foreach (var c in tenantId + "/" + flag)
            hash = (hash ^ c) * 16777619;
        return (int)(hash % 100);
    }

    public void Dispose() => _refreshTimer.Dispose();
}

public sealed class CheckoutFlagsHandler
{
    private readonly FlagStore _flags;

    public CheckoutFlagsHandler(FlagStore flags) => _flags = flags;

    // Admin page: which tenants currently see the new checkout?
    public Task<bool[]> EvaluateForTenantsAsync(IEnumerable<string> tenants) =>
        Task.WhenAll(tenants.Select(t => Task.Run(() => _flags.IsEnabled("new-checkout", t))));
}
