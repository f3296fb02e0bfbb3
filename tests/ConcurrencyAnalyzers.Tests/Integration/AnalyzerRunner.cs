using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Tests.Meta;
using ConcurrencyAnalyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConcurrencyAnalyzers.Tests.Integration
{
    /// <summary>Runs every analyzer of the package over in-memory sources, recording analyzer exceptions.</summary>
    internal static class AnalyzerRunner
    {
        private static ImmutableArray<MetadataReference>? s_references;

        public static async Task<ImmutableArray<MetadataReference>> ReferencesAsync() =>
            s_references ??= await TestReferences.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);

        public static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees, ImmutableArray<MetadataReference> references) =>
            CSharpCompilation.Create(
                "Analyzed",
                trees,
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        public static Task<(ImmutableArray<Diagnostic> Diagnostics, List<string> Exceptions)> RunAsync(Compilation compilation) =>
            RunAsync(compilation, PackageCatalog.Analyzers.ToImmutableArray());

        public static async Task<(ImmutableArray<Diagnostic> Diagnostics, List<string> Exceptions)> RunAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var exceptions = new List<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, _) =>
                {
                    lock (exceptions)
                    {
                        exceptions.Add(analyzer.GetType().Name + ": " + exception);
                    }
                },
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false);
            var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
            var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);

            // AD0001 is how the host reports a crashed analyzer; treat it as an exception too.
            exceptions.AddRange(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.GetMessage()));
            return (diagnostics, exceptions);
        }
    }
}
