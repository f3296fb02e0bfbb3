using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init.TemplateStore;

public sealed class Template
{
    // Even slots are literal text, odd slots are placeholder names.
    private readonly string[] _parts;

    private Template(string name, string[] parts)
    {
        Name = name;
        _parts = parts;
    }

    public string Name { get; }

    public static Template Parse(string name, string source)
    {
        var parts = new List<string>();
        var position = 0;
        while (true)
        {
            var open = source.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(source.Substring(position));
                break;
            }

            var close = source.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"Unclosed placeholder in template '{name}'.");
            }

            parts.Add(source.Substring(position, open - position));
            parts.Add(source.Substring(open + 2, close - open - 2).Trim());
            position = close + 2;
        }

        return new Template(name, parts.ToArray());
    }

    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < _parts.Length; i++)
        {
            if (i % 2 == 0)
            {
                builder.Append(_parts[i]);
            }
            else
            {
                builder.Append(values.TryGetValue(_parts[i], out var value) ? value : string.Empty);
            }
        }

        return builder.ToString();
    }
}

public sealed class TemplateStore
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, Template> _templates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _layouts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Template>> _partials = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _paths = new(StringComparer.OrdinalIgnoreCase);

    public TemplateStore(string root) => _root = root;

    public static void Warm(TemplateStore store, IEnumerable<string> names) =>
        Parallel.ForEach(names, name => store.Get(name));

    public Template Get(string name) =>
        _templates.GetOrAdd(name, n => Template.Parse(n, File.ReadAllText(PathFor(n)))); // expect: CONC053

    public string Layout(string name) =>
        _layouts.GetOrAdd(name, LoadLayout); // expect: CONC053

    public Template Partial(string name) =>
        _partials.GetOrAdd(
            name,
            n => new Lazy<Template>(() => Template.Parse(n, File.ReadAllText(PathFor("partials/" + n))), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public string PathFor(string name) => _paths.GetOrAdd(name, n => Path.Combine(_root, n + ".tmpl"));

    public bool TryRender(string name, IReadOnlyDictionary<string, string> values, out string output)
    {
        if (_templates.ContainsKey(name)) // expect: CONC052
        {
            output = _templates[name].Render(values);
            return true;
        }

        output = null;
        return false;
    }

    public string RenderWithLayout(string name, string layout, IReadOnlyDictionary<string, string> values)
    {
        var body = Get(name).Render(values);
        return Layout(layout).Replace("{{body}}", body, StringComparison.Ordinal);
    }

    public void Evict(string name)
    {
        _templates.TryRemove(name, out _);
        _partials.TryRemove(name, out _);
        _layouts.TryRemove(name, out _);
    }

    private string LoadLayout(string name)
    {
        var raw = ReadSource("layouts/" + name);
        return raw.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private string ReadSource(string name)
    {
        using var reader = new StreamReader(PathFor(name), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
