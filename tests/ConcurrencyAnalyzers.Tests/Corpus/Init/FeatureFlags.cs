using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Corpus.Init.FeatureFlags;

public interface IServiceCollection
{
    IServiceCollection Register(Type serviceType, string lifetime);
}

public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services)
        where TService : class
        => services.Register(typeof(TService), "Singleton");

    public static IServiceCollection AddFeatureFlags(this IServiceCollection services)
        => services.AddSingleton<FileFlagSource>().AddSingleton<FeatureFlagStore>();
}

public sealed record FlagSnapshot(IReadOnlyDictionary<string, bool> Flags, DateTimeOffset LoadedAt)
{
    public bool IsEnabled(string name) => Flags.TryGetValue(name, out var on) && on;
}

public sealed class FileFlagSource
{
    private readonly object _gate = new();
    private readonly string _path = Environment.GetEnvironmentVariable("FLAGS_FILE") ?? "flags.json";
    private volatile FlagSnapshot _snapshot;

    public FlagSnapshot Current
    {
        get
        {
            if (_snapshot == null)
            {
                lock (_gate)
                {
                    if (_snapshot == null)
                    {
                        _snapshot = Load(_path);
                    }
                }
            }

            return _snapshot;
        }
    }

    public void Reload()
    {
        var fresh = Load(_path);
        lock (_gate)
        {
            _snapshot = fresh;
        }
    }

    private static FlagSnapshot Load(string path)
    {
        var parsed = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, bool>>(File.ReadAllText(path)) : null;
        var flags = new Dictionary<string, bool>(parsed ?? new Dictionary<string, bool>(), StringComparer.OrdinalIgnoreCase);
        return new FlagSnapshot(flags, DateTimeOffset.UtcNow);
    }
}

public sealed class FeatureFlagStore
{
    private readonly object _gate = new();
    private readonly FileFlagSource _source;
    private readonly Dictionary<string, bool> _overrides = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, string> _owners;
    private bool _overridesLoaded;
    private string[] _knownFlags;

    public FeatureFlagStore(FileFlagSource source) => _source = source;

    public bool IsEnabled(string flag)
    {
        EnsureOverrides();
        bool found, forced;
        lock (_gate)
        {
            found = _overrides.TryGetValue(flag, out forced);
        }

        return found ? forced : _source.Current.IsEnabled(flag);
    }

    public string OwnerOf(string flag)
    {
        if (_owners == null) // expect: CONC051
        {
            lock (_gate)
            {
                if (_owners == null)
                {
                    _owners = LoadOwners("flag-owners.csv");
                }
            }
        }

        return _owners.TryGetValue(flag, out var owner) ? owner : "unowned";
    }

    public IReadOnlyList<string> KnownFlags()
    {
        lock (_gate)
        {
            if (_knownFlags == null)
            {
                var names = _source.Current.Flags.Keys.Union(_overrides.Keys, StringComparer.OrdinalIgnoreCase);
                _knownFlags = names.OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToArray();
            }

            return _knownFlags;
        }
    }

    public void SetOverride(string flag, bool enabled)
    {
        EnsureOverrides();
        lock (_gate)
        {
            _overrides[flag] = enabled;
            _knownFlags = null;
        }
    }

    private void EnsureOverrides()
    {
        if (!_overridesLoaded) // expect: CONC051
        {
            lock (_gate)
            {
                if (!_overridesLoaded)
                {
                    foreach (var line in ReadLines("flag-overrides.txt"))
                    {
                        var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
                        if (parts.Length == 2 && bool.TryParse(parts[1], out var value))
                        {
                            _overrides[parts[0]] = value;
                        }
                    }

                    _overridesLoaded = true;
                }
            }
        }
    }

    private static Dictionary<string, string> LoadOwners(string path) =>
        ReadLines(path)
            .Select(line => line.Split(',', StringSplitOptions.TrimEntries))
            .Where(columns => columns.Length >= 2)
            .GroupBy(columns => columns[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> ReadLines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0 && l[0] != '#') : Array.Empty<string>();
}
