using System;
using System.Collections.Generic;
using System.Linq;
using ConcurrencyAnalyzers.Rules;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConcurrencyAnalyzers.Tests.Meta
{
    /// <summary>Every analyzer and code fix the package ships, found by reflection so none can be forgotten.</summary>
    internal static class PackageCatalog
    {
        public static IReadOnlyList<DiagnosticAnalyzer> Analyzers { get; } =
            typeof(SleepInAsyncCodeAnalyzer).Assembly.GetTypes()
                .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToList();

        public static IReadOnlyList<Type> CodeFixTypes { get; } =
            typeof(SleepInAsyncCodeCodeFix).Assembly.GetTypes()
                .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract)
                .ToList();

        public static IEnumerable<string> DiagnosticIds =>
            Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(id => id);

        public static IEnumerable<object[]> DiagnosticIdData => DiagnosticIds.Select(id => new object[] { id });

        public static IEnumerable<object[]> AnalyzerData => Analyzers.Select(a => new object[] { a.GetType().Name });

        public static IEnumerable<object[]> CodeFixData => CodeFixTypes.Select(t => new object[] { t.Name });
    }
}
