using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Corpus.Init.PluginCatalog;

public sealed record PluginInfo(string Name, string AssemblyPath, Version Version);

public static class PluginCatalog
{
    private static readonly string PluginRoot = Path.Combine(AppContext.BaseDirectory, "plugins");
    private static readonly ConcurrentDictionary<string, FileSystemWatcher> Watchers = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, string> ManifestPaths = new(StringComparer.OrdinalIgnoreCase);
    private static IReadOnlyList<PluginInfo> s_plugins;
    private static Dictionary<string, PluginInfo> s_byName;

    public static IReadOnlyList<PluginInfo> All
    {
        get
        {
            if (s_plugins != null) // expect: CONC050
            {
                return s_plugins;
            }

            s_plugins = Discover(PluginRoot);
            return s_plugins;
        }
    }

    [MethodImpl(MethodImplOptions.Synchronized)]
    public static PluginInfo Find(string name)
    {
        if (s_byName == null)
        {
            s_byName = All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        }

        return s_byName.TryGetValue(name, out var plugin) ? plugin : null;
    }

    public static string ManifestPath(string plugin) =>
        ManifestPaths.GetOrAdd(plugin, p => Path.Combine(PluginRoot, p, "plugin.json"));

    public static FileSystemWatcher Watch(string directory) =>
        Watchers.GetOrAdd(directory, d => new FileSystemWatcher(d, "*.dll") { IncludeSubdirectories = true, EnableRaisingEvents = true }); // expect: CONC053

    public static bool Unwatch(string directory)
    {
        if (Watchers.TryRemove(directory, out var watcher))
        {
            watcher.Dispose();
            return true;
        }

        return false;
    }

    public static IEnumerable<PluginInfo> NewerThan(Version minimum) =>
        All.Where(p => p.Version >= minimum);

    private static IReadOnlyList<PluginInfo> Discover(string root)
    {
        if (!Directory.Exists(root))
        {
            return Array.Empty<PluginInfo>();
        }

        var found = new List<PluginInfo>();
        foreach (var path in Directory.EnumerateFiles(root, "*.Plugin.dll", SearchOption.AllDirectories))
        {
            try
            {
                var assembly = AssemblyName.GetAssemblyName(path);
                found.Add(new PluginInfo(assembly.Name ?? Path.GetFileNameWithoutExtension(path), path, assembly.Version ?? new Version(0, 0)));
            }
            catch (BadImageFormatException)
            {
                // Native or corrupt file that happens to match the naming convention.
            }
        }

        return found.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
