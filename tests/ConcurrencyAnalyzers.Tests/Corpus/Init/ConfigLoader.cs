using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace Corpus.Init.ConfigLoader;

public sealed class AppConfig
{
    public AppConfig(IReadOnlyDictionary<string, string> values, IReadOnlyList<string> warnings)
    {
        Values = values;
        Warnings = warnings;
    }

    public IReadOnlyDictionary<string, string> Values { get; }

    public IReadOnlyList<string> Warnings { get; }

    public string Get(string key, string fallback) => Values.TryGetValue(key, out var value) ? value : fallback;
}

internal sealed class IniParser
{
    private List<string> _warnings;

    public IReadOnlyList<string> Warnings => _warnings ?? (IReadOnlyList<string>)Array.Empty<string>();

    public Dictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var section = string.Empty;
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim() + ":";
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                _warnings ??= new List<string>();
                _warnings.Add($"line {number}: expected key=value");
                continue;
            }

            values[section + line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }

        return values;
    }
}

public static class ConfigLoader
{
    private static readonly Lazy<AppConfig> s_current = new(() => Load(ResolvePath()), LazyThreadSafetyMode.ExecutionAndPublication);
    private static string s_environment;
    private static string s_profile;
    private static IReadOnlyList<string> s_searchPaths;

    [ThreadStatic]
    private static StringBuilder t_scratch;

    public static AppConfig Current => s_current.Value;

    public static string EnvironmentName => s_environment ?? (s_environment = Environment.GetEnvironmentVariable("APP_ENVIRONMENT") ?? "Production"); // expect: CONC050

    public static string Profile => s_profile ??= "default";

    public static IReadOnlyList<string> SearchPaths
    {
        get
        {
            s_searchPaths ??= BuildSearchPaths(); // expect: CONC050
            return s_searchPaths;
        }
    }

    public static void UseProfile(string profile) => s_profile = profile;

    public static string Describe(AppConfig config)
    {
        var scratch = t_scratch ??= new StringBuilder(256);
        scratch.Clear();
        foreach (var pair in config.Values.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            scratch.Append(pair.Key).Append(" = ").Append(pair.Value).AppendLine();
        }

        return scratch.ToString();
    }

    public static AppConfig Load(string path)
    {
        var parser = new IniParser();
        var values = File.Exists(path) ? parser.Parse(File.ReadLines(path)) : new Dictionary<string, string>();
        return new AppConfig(values, parser.Warnings);
    }

    private static string ResolvePath()
    {
        var fileName = $"appsettings.{EnvironmentName}.{Profile}.ini";
        foreach (var directory in SearchPaths)
        {
            var candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "appsettings.ini");
    }

    private static IReadOnlyList<string> BuildSearchPaths()
    {
        var paths = new List<string> { AppContext.BaseDirectory, Environment.CurrentDirectory };
        var extra = Environment.GetEnvironmentVariable("APP_CONFIG_PATH");
        if (!string.IsNullOrWhiteSpace(extra))
        {
            paths.AddRange(extra.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        return paths.Distinct(StringComparer.Ordinal).ToList();
    }
}
