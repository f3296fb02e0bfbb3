using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.AppSettingsProvider;

/// <summary>key=value settings file, loaded once per process.</summary>
public sealed class AppSettings
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public bool IsLoaded { get; private set; }

    public void Load(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            var eq = trimmed.IndexOf('=');
            if (eq > 0)
                _values[trimmed[..eq].Trim()] = trimmed[(eq + 1)..].Trim();
        }
        IsLoaded = true;
    }

    public string? this[string key] => _values.TryGetValue(key, out var value) ? value : null;
}

public static class Settings
{
    private static readonly object s_gate = new();
    private static readonly Lazy<IReadOnlyDictionary<string, string>> s_environment =
        new(ReadEnvironment, LazyThreadSafetyMode.ExecutionAndPublication);
    private static volatile AppSettings? s_current;

    public static string SettingsPath { get; set; } = "appsettings.conf";

    public static AppSettings Current
    {
        get
        {
            if (s_current == null) // expect: CONC051
            {
                lock (s_gate)
                {
                    if (s_current == null)
                    {
                        s_current = new AppSettings();
                        s_current.Load(SettingsPath);
                    }
                }
            }
            return s_current;
        }
    }

    // Environment variables win over the file, as the ops runbook promises.
    public static string? Get(string key) =>
        s_environment.Value.TryGetValue("APP_" + key.ToUpperInvariant(), out var env) ? env : Current[key];

    private static IReadOnlyDictionary<string, string> ReadEnvironment() =>
        Environment.GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? "", StringComparer.OrdinalIgnoreCase);
}

/// <summary>Registered as a singleton; every request handler asks it for connection strings.</summary>
public sealed class ConnectionStringProvider
{
    private readonly object _secretsGate = new();
    private IReadOnlyDictionary<string, string>? _connectionStrings;
    private IReadOnlyDictionary<string, string>? _secrets;

    public string GetConnectionString(string name)
    {
        var map = _connectionStrings ??= ParseConnectionStrings(); // expect: CONC050
        return map.TryGetValue(name, out var cs) ? cs : throw new KeyNotFoundException($"Connection string '{name}' is missing.");
    }

    public string GetSecret(string name)
    {
        lock (_secretsGate)
        {
            if (_secrets == null)
                _secrets = LoadSecrets();
            return _secrets.TryGetValue(name, out var secret) ? secret : "";
        }
    }

    private static IReadOnlyDictionary<string, string> ParseConnectionStrings()
    {
        var settings = Settings.Current;
        return new[] { "orders", "inventory", "audit" }
            .Where(n => settings["ConnectionStrings:" + n] != null)
            .ToDictionary(n => n, n => settings["ConnectionStrings:" + n]!);
    }

    private static IReadOnlyDictionary<string, string> LoadSecrets()
    {
        var dir = Settings.Get("SecretsDirectory") ?? "/run/secrets";
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir).ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).Trim())
            : new Dictionary<string, string>();
    }
}

/// <summary>Per-request view of tenant settings; created and used inside a single request.</summary>
public sealed class TenantSettingsView
{
    private readonly string _tenantId;
    private string? _region;

    public TenantSettingsView(string tenantId) => _tenantId = tenantId;

    public string Region => _region ??= Settings.Get($"Tenant:{_tenantId}:Region") ?? "eu-west-1";
}

public static class TenantReportHandler
{
    public static async Task<string[]> DescribeTenantsAsync(ConnectionStringProvider provider, IReadOnlyList<string> tenants)
    {
        var lookups = tenants.Select(tenant => Task.Run(() =>
        {
            var view = new TenantSettingsView(tenant);
            return $"{tenant}: region={view.Region}, orders-db={provider.GetConnectionString("orders").Length > 0}";
        }));
        return await Task.WhenAll(lookups).ConfigureAwait(false);
    }
}
