using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;

namespace Corpus.Init2.CommandRegistry;

public interface ICommandHandler
{
    string Execute(string[] args);
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class CommandAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

[Command("ping")]
public sealed class PingHandler : ICommandHandler
{
    public string Execute(string[] args) => "pong";
}

[Command("echo")]
public sealed class EchoHandler : ICommandHandler
{
    public string Execute(string[] args) => string.Join(' ', args);
}

/// <summary>Process-wide registry of admin console commands, shared by all console sessions.</summary>
public sealed class CommandDispatcher
{
    private static Dictionary<string, Type>? s_discoveredTypes;

    [ThreadStatic] private static StringBuilder? t_output;

    private readonly ConcurrentDictionary<string, ICommandHandler> _handlers = new(StringComparer.OrdinalIgnoreCase);
    private Action<string>? _auditSink;
    private bool _builtInsRegistered;
    private int _auditEnabled;

    public static IReadOnlyDictionary<string, Type> DiscoveredTypes
    {
        get
        {
            if (s_discoveredTypes == null) // expect: CONC050
            {
                var found = typeof(CommandDispatcher).Assembly.GetTypes()
                    .Where(t => typeof(ICommandHandler).IsAssignableFrom(t) && t.GetCustomAttribute<CommandAttribute>() != null)
                    .ToDictionary(t => t.GetCustomAttribute<CommandAttribute>()!.Name, StringComparer.OrdinalIgnoreCase);
                s_discoveredTypes = found;
            }
            return s_discoveredTypes;
        }
    }

    public void Register(string name, ICommandHandler handler)
    {
        if (!_handlers.TryAdd(name, handler))
            throw new InvalidOperationException($"Command '{name}' is already registered.");
    }

    public void Replace(string name, ICommandHandler handler) =>
        _handlers.AddOrUpdate(name, handler, (_, _) => handler);

    // Plugins may wrap an existing command (logging, feature gates, ...).
    public void Decorate(string name, Func<ICommandHandler, ICommandHandler> decorator)
    {
        if (_handlers.TryGetValue(name, out var existing)) // expect: CONC052
            _handlers[name] = decorator(existing);
    }

    public void EnableAudit(Action<string> sink)
    {
        // Only the first session that asks for auditing installs its sink.
        if (Interlocked.CompareExchange(ref _auditEnabled, 1, 0) != 0)
            return;
        Volatile.Write(ref _auditSink, sink);
        sink("command auditing enabled");
    }

    public string Execute(string commandLine)
    {
        EnsureBuiltIns();
        var parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !_handlers.TryGetValue(parts[0], out var handler))
            return $"unknown command '{commandLine}'";

        Volatile.Read(ref _auditSink)?.Invoke(commandLine);

        // Per-thread scratch buffer; console sessions each run on their own thread.
        var output = t_output ??= new StringBuilder(256);
        output.Clear();
        output.Append('[').Append(parts[0]).Append("] ").Append(handler.Execute(parts[1..]));
        return output.ToString();
    }

    private void EnsureBuiltIns()
    {
        if (_builtInsRegistered) // expect: CONC050
            return;
        foreach (var (name, type) in DiscoveredTypes)
            _handlers.TryAdd(name, (ICommandHandler)Activator.CreateInstance(type)!);
        _builtInsRegistered = true;
    }
}

public static class AdminConsoleHost
{
    // Replays a script with one thread per line, the way the old multi-session console behaved.
    public static void RunScript(CommandDispatcher dispatcher, IReadOnlyList<string> script)
    {
        var results = new ConcurrentBag<string>();
        var sessions = script.Select(cmd => new Thread(() => results.Add(dispatcher.Execute(cmd)))).ToList();
        sessions.ForEach(t => t.Start());
        sessions.ForEach(t => t.Join());
        foreach (var line in results)
            Console.WriteLine(line);
    }
}
