using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Corpus.Locks.PluginRegistry;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public interface IPlugin
{
    string Name { get; }

    Version Version { get; }

    void Initialize(IReadOnlyDictionary<string, string> settings);

    void Shutdown();
}

public interface IPluginScanner
{
    IEnumerable<(string Name, Type PluginType)> Scan(string assemblyPath);
}

public abstract class PluginHostBase
{
    protected readonly object Gate = new();
    protected readonly List<string> LoadOrder = new();

    protected void RecordLoad(string pluginName)
    {
        lock (Gate) // expect: CONC031
        {
            LoadOrder.Add(pluginName);
        }
    }

    public IReadOnlyList<string> GetLoadOrder()
    {
        lock (Gate) // expect: CONC031
        {
            return LoadOrder.ToArray();
        }
    }
}

public sealed class PluginRegistry : PluginHostBase, IDisposable
{
    private static object s_discoveryLock = new object(); // expect: CONC032
    private static readonly Dictionary<string, Type> s_discovered = new(StringComparer.OrdinalIgnoreCase);

    private readonly ReaderWriterLockSlim _pluginsLock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, IPlugin> _plugins = new(StringComparer.OrdinalIgnoreCase);
    private readonly IPluginScanner _scanner;
    private readonly ILogger _logger;

    public PluginRegistry(IPluginScanner scanner, ILogger logger)
    {
        _scanner = scanner;
        _logger = logger;
    }

    public static void RegisterDiscovered(string name, Type pluginType)
    {
        if (!typeof(IPlugin).IsAssignableFrom(pluginType))
        {
            throw new ArgumentException($"{pluginType.FullName} does not implement {nameof(IPlugin)}.", nameof(pluginType));
        }

        lock (s_discoveryLock)
        {
            s_discovered[name] = pluginType;
        }
    }

    public static Type? FindDiscovered(string name)
    {
        lock (s_discoveryLock)
        {
            return s_discovered.TryGetValue(name, out var type) ? type : null;
        }
    }

    public void LoadFromAssembly(string assemblyPath)
    {
        if (string.IsNullOrWhiteSpace(assemblyPath))
        {
            throw new ArgumentException("Assembly path is required.", nameof(assemblyPath));
        }

        // Two threads scanning the same file would register every type twice.
        lock (assemblyPath) // expect: CONC031
        {
            foreach (var (name, type) in _scanner.Scan(assemblyPath))
            {
                RegisterDiscovered(name, type);
            }
        }

        _logger.Info($"Scanned {assemblyPath}.");
    }

    public IPlugin? Find(string name)
    {
        _pluginsLock.EnterReadLock(); // expect: CONC033
        var found = _plugins.TryGetValue(name, out var plugin) ? plugin : null;
        _pluginsLock.ExitReadLock();
        return found;
    }

    public IReadOnlyCollection<string> ListNames()
    {
        _pluginsLock.EnterReadLock();
        try
        {
            return _plugins.Keys.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
        }
        finally
        {
            _pluginsLock.ExitReadLock();
        }
    }

    public void Register(IPlugin plugin, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        plugin.Initialize(settings);

        _pluginsLock.EnterWriteLock(); // expect: CONC033
        if (_plugins.ContainsKey(plugin.Name))
        {
            _pluginsLock.ExitWriteLock();
            throw new InvalidOperationException($"A plugin named {plugin.Name} is already registered.");
        }

        _plugins[plugin.Name] = plugin;
        _pluginsLock.ExitWriteLock();

        RecordLoad(plugin.Name);
        _logger.Info($"Registered {plugin.Name} {plugin.Version}.");
    }

    public bool Unregister(string name)
    {
        IPlugin? removed = null;
        _pluginsLock.EnterUpgradeableReadLock();
        try
        {
            if (!_plugins.TryGetValue(name, out var plugin))
            {
                return false;
            }

            _pluginsLock.EnterWriteLock();
            try
            {
                _plugins.Remove(name);
                removed = plugin;
            }
            finally
            {
                _pluginsLock.ExitWriteLock();
            }
        }
        finally
        {
            _pluginsLock.ExitUpgradeableReadLock();
        }

        removed?.Shutdown();
        _logger.Info($"Unregistered {name}.");
        return true;
    }

    public void Dispose()
    {
        IPlugin[] plugins;
        _pluginsLock.EnterWriteLock();
        try
        {
            plugins = _plugins.Values.ToArray();
            _plugins.Clear();
        }
        finally
        {
            _pluginsLock.ExitWriteLock();
        }

        foreach (var plugin in plugins)
        {
            try
            {
                plugin.Shutdown();
            }
            catch (Exception ex)
            {
                _logger.Warn($"{plugin.Name} failed to shut down: {ex.Message}");
            }
        }

        _pluginsLock.Dispose();
    }
}
