using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init.SchemaCache;

public sealed record PropertySchema(string Name, string JsonType, bool Required);

public sealed record TypeSchema(Type Type, IReadOnlyList<PropertySchema> Properties);

public sealed class SchemaCache
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<Type, TypeSchema> _schemas = new();
    private readonly ConcurrentDictionary<Type, string> _names = new();
    private volatile Dictionary<string, string> _formats;
    private volatile IReadOnlyList<string> _draftKeywords;
    private Dictionary<Type, string> _primitiveTypes;
    private string[] _reservedWords;
    private long _generated;

    public static void Warm(SchemaCache cache, IEnumerable<Type> types) =>
        Parallel.ForEach(types, type => cache.GetSchema(type));

    public long Generated => Interlocked.Read(ref _generated);

    public TypeSchema GetSchema(Type type) => _schemas.GetOrAdd(type, Generate); // expect: CONC053

    public string NameOf(Type type) => _names.GetOrAdd(type, t => t.Name.ToLowerInvariant());

    public bool IsPrimitive(Type type) => PrimitiveTypes.ContainsKey(type);

    public IReadOnlyDictionary<string, string> Formats
    {
        get
        {
            if (_formats == null) // expect: CONC051
            {
                lock (_gate)
                {
                    if (_formats == null)
                    {
                        _formats = new Dictionary<string, string>(StringComparer.Ordinal);
                        _formats.Add("date-time", nameof(DateTimeOffset));
                        _formats.Add("uuid", nameof(Guid));
                        _formats.Add("uri", nameof(Uri));
                    }
                }
            }

            return _formats;
        }
    }

    public IReadOnlyList<string> DraftKeywords
    {
        get
        {
            if (_draftKeywords == null) // expect: CONC051
            {
                lock (_gate)
                {
                    _draftKeywords = BuildDraftKeywords();
                }
            }

            return _draftKeywords;
        }
    }

    public string[] ReservedWords
    {
        get
        {
            if (_reservedWords == null)
            {
                Interlocked.CompareExchange(ref _reservedWords, new[] { "type", "properties", "items", "enum", "const" }, null);
            }

            return _reservedWords;
        }
    }

    private Dictionary<Type, string> PrimitiveTypes =>
        LazyInitializer.EnsureInitialized(ref _primitiveTypes, () => new Dictionary<Type, string>
        {
            [typeof(string)] = "string",
            [typeof(int)] = "integer",
            [typeof(long)] = "integer",
            [typeof(double)] = "number",
            [typeof(bool)] = "boolean",
        });

    private TypeSchema Generate(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => new PropertySchema(p.Name, JsonTypeOf(p.PropertyType), p.PropertyType.IsValueType && Nullable.GetUnderlyingType(p.PropertyType) == null))
            .ToList();
        CountGeneration();
        return new TypeSchema(type, properties);
    }

    private void CountGeneration() => Interlocked.Increment(ref _generated);

    private static string JsonTypeOf(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string) || underlying == typeof(Guid) || underlying == typeof(DateTimeOffset))
        {
            return "string";
        }

        if (underlying == typeof(bool))
        {
            return "boolean";
        }

        if (underlying.IsPrimitive || underlying == typeof(decimal))
        {
            return underlying == typeof(float) || underlying == typeof(double) || underlying == typeof(decimal) ? "number" : "integer";
        }

        return typeof(System.Collections.IEnumerable).IsAssignableFrom(underlying) ? "array" : "object";
    }

    private static IReadOnlyList<string> BuildDraftKeywords() =>
        new[] { "$schema", "$id", "$ref", "$defs", "properties", "required", "additionalProperties" };
}
