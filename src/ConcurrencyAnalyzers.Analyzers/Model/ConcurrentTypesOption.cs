using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The opt-in for code whose concurrency the code does not show: `dotnet_code_quality.&lt;rule&gt;.concurrent_types`
    /// (or `dotnet_code_quality.concurrent_types` for every rule that reads it) lists types, by name, full
    /// name, or the name of a base type or interface, whose instances are used from several threads at
    /// once: a singleton service, a cache, a handler.
    /// </summary>
    internal static class ConcurrentTypesOption
    {
        public const string SharedKey = "dotnet_code_quality.concurrent_types";

        public static string KeyFor(string ruleId) => "dotnet_code_quality." + ruleId + ".concurrent_types";

        /// <param name="ruleIds">The rules whose keys to read, besides the shared one; the lists add up.</param>
        public static bool Includes(INamedTypeSymbol type, AnalyzerOptions options, SyntaxTree? tree, params string[] ruleIds)
        {
            if (tree is null)
            {
                return false;
            }

            var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            var names = new System.Collections.Generic.List<string>();
            foreach (var key in ruleIds.Select(KeyFor).Append(SharedKey))
            {
                if (config.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value))
                {
                    names.AddRange(value.Split(new[] { ',' }, System.StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim()));
                }
            }

            if (names.Count == 0)
            {
                return false;
            }

            for (var current = type; current is not null; current = current.BaseType)
            {
                if (names.Contains(current.Name) || names.Contains(current.ToDisplayString()))
                {
                    return true;
                }
            }

            return type.AllInterfaces.Any(i => names.Contains(i.Name) || names.Contains(i.ToDisplayString()));
        }
    }
}
