using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;

namespace Corpus.Init2.SerializerCache;

[AttributeUsage(AttributeTargets.Class)]
public sealed class WireNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Maps short wire names ("order.v2") to CLR types for polymorphic envelopes.</summary>
public sealed class TypeNameMap
{
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);

    public void Register(string name, Type type) => _byName.Add(name, type);

    public Type Resolve(string name) =>
        _byName.TryGetValue(name, out var type) ? type : throw new KeyNotFoundException($"Unknown wire type '{name}'.");
}

public static class EnvelopeSerializer
{
    private static readonly JsonSerializerOptions s_webOptions = new(JsonSerializerDefaults.Web);
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> s_properties = new();
    private static readonly ConcurrentDictionary<Type, string> s_schemas = new();
    private static readonly object s_typeMapGate = new();

    private static JsonSerializerOptions? s_strictOptions;
    private static JsonSerializerOptions? s_legacyOptions;
    private static volatile TypeNameMap? s_typeMap;

    public static string SchemaDirectory { get; set; } = "schemas";

    // Public API: camelCase, strict numbers, enums as strings.
    public static JsonSerializerOptions StrictOptions =>
        LazyInitializer.EnsureInitialized(ref s_strictOptions, () => new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            Converters = { new JsonStringEnumConverter() },
        });

    // The v1 partner feed still sends PascalCase and numbers as strings.
    public static JsonSerializerOptions LegacyOptions =>
        s_legacyOptions ?? (s_legacyOptions = CreateLegacyOptions()); // expect: CONC050

    public static TypeNameMap TypeMap
    {
        get
        {
            if (s_typeMap == null)
            {
                lock (s_typeMapGate)
                {
                    if (s_typeMap == null)
                    {
                        var map = new TypeNameMap();
                        foreach (var type in typeof(EnvelopeSerializer).Assembly.GetTypes())
                        {
                            if (type.GetCustomAttribute<WireNameAttribute>() is { } wire)
                                map.Register(wire.Name, type);
                        }
                        s_typeMap = map;
                    }
                }
            }
            return s_typeMap;
        }
    }

    public static PropertyInfo[] PropertiesOf(Type type) =>
        s_properties.GetOrAdd(type, static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance));

    public static string SchemaFor(Type type) =>
        s_schemas.GetOrAdd(type,
            t => File.ReadAllText(Path.Combine(SchemaDirectory, t.Name + ".schema.json"))); // expect: CONC053

    public static string Serialize<T>(T payload, bool legacy = false)
    {
        var wireName = typeof(T).GetCustomAttribute<WireNameAttribute>()?.Name ?? typeof(T).Name;
        var envelope = new Dictionary<string, object?> { ["type"] = wireName, ["data"] = payload };
        return JsonSerializer.Serialize(envelope, legacy ? LegacyOptions : s_webOptions);
    }

    public static object? Deserialize(string wireName, string json) =>
        JsonSerializer.Deserialize(json, TypeMap.Resolve(wireName), StrictOptions);

    private static JsonSerializerOptions CreateLegacyOptions() => new()
    {
        PropertyNamingPolicy = null,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    };
}

[WireName("order.v2")]
public sealed record OrderPlaced(Guid OrderId, decimal Total, string Currency);

public static class OutboxExporter
{
    // Nightly export: serializes the day's orders on all cores.
    public static string[] ExportAll(IReadOnlyList<OrderPlaced> orders, bool legacyPartner) =>
        orders.AsParallel()
            .AsOrdered()
            .Select(o => EnvelopeSerializer.Serialize(o, legacyPartner))
            .ToArray();

    public static int CountDocumentedFields(IEnumerable<Type> types) =>
        types.AsParallel().Sum(t => EnvelopeSerializer.PropertiesOf(t).Length);
}
