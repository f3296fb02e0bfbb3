using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConcurrencyAnalyzers.Benchmarks
{
    /// <summary>
    /// Per-document analyzer cost, the figure an editor pays on every keystroke batch: for each document
    /// of the corpus, the time all ConcurrencyAnalyzers take to analyse that one document in a warm
    /// compilation, against an empty analyzer that registers the same callbacks and does nothing.
    /// Usage: ConcurrencyAnalyzers.Benchmarks &lt;folder with .cs files&gt; &lt;reference assembly folder&gt; [analyzers]
    /// (the optional third argument names the analyzer classes to measure, comma-separated: one rule's cost)
    /// </summary>
    public static class Program
    {
        private const int Rounds = 5;

        public static async Task<int> Main(string[] args)
        {
            if (args.Length is not (2 or 3))
            {
                Console.Error.WriteLine("usage: ConcurrencyAnalyzers.Benchmarks <source folder> <reference assembly folder> [analyzer names, comma-separated]");
                return 2;
            }

            var files = Directory.GetFiles(args[0], "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
            var references = Directory.GetFiles(args[1], "*.dll").Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
            var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, path: f)).ToList();
            var compilation = CSharpCompilation.Create("Corpus", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var lines = trees.Sum(t => t.GetText().Lines.Count);

            var analyzers = typeof(ConcurrencyAnalyzers.Rules.SleepInAsyncCodeAnalyzer).Assembly.GetTypes()
                .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
                .Where(t => args.Length < 3 || args[2].Split(',').Contains(t.Name))
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray();

            // A first pass over every document warms the compiler's own code (tiered JIT): whatever is
            // measured first would otherwise pay for it and look slower than what follows.
            await MeasureAsync(compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyAnalyzer()), trees);
            var empty = await MeasureAsync(compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyAnalyzer()), trees);
            var package = await MeasureAsync(compilation, analyzers, trees);
            var emptyStart = await MeasureAsync(compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyAnalyzer(viaCompilationStart: true)), trees);

            // The first whole-compilation pass JITs the analyzers; the second is the steady state a build server sees.
            Console.WriteLine("whole compilation, first pass (includes JIT):");
            await WholeCompilationAsync(compilation, analyzers);
            Console.WriteLine("whole compilation, second pass:");
            var whole = await WholeCompilationAsync(compilation, analyzers);
            Console.WriteLine($"corpus: {files.Count} files, {lines} lines");
            Console.WriteLine($"whole compilation, analyzer execution time: {whole.TotalMilliseconds:F0} ms = {whole.TotalMilliseconds * 1000 / lines:F1} ms per 1,000 lines");
            Console.WriteLine($"per edited document (median of {Rounds} rounds per document), ConcurrencyAnalyzers: median {Percentile(package, 0.5):F2} ms, p95 {Percentile(package, 0.95):F2} ms, max {package.Max():F2} ms");
            Console.WriteLine($"per edited document, empty-analyzer baseline:                          median {Percentile(empty, 0.5):F2} ms, p95 {Percentile(empty, 0.95):F2} ms, max {empty.Max():F2} ms");
            Console.WriteLine($"per edited document, empty analyzer registering in a compilation start: median {Percentile(emptyStart, 0.5):F2} ms, p95 {Percentile(emptyStart, 0.95):F2} ms, max {emptyStart.Max():F2} ms");
            return 0;
        }

        private static async Task<List<double>> MeasureAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, IReadOnlyList<SyntaxTree> trees)
        {
            var perDocument = new List<double>();
            foreach (var tree in trees)
            {
                var samples = new List<double>();
                for (var round = 0; round < Rounds + 1; round++)
                {
                    // A fresh CompilationWithAnalyzers per round, as a new edit gets; the first round warms the JIT.
                    var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
                    var model = compilation.GetSemanticModel(tree);
                    var watch = Stopwatch.StartNew();
                    await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None);
                    watch.Stop();
                    if (round > 0)
                    {
                        samples.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }

                perDocument.Add(Percentile(samples, 0.5));
            }

            return perDocument;
        }

        private static async Task<TimeSpan> WholeCompilationAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
            await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            var total = TimeSpan.Zero;
            foreach (var analyzer in analyzers)
            {
                var time = (await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None)).ExecutionTime;
                Console.WriteLine($"  {analyzer.GetType().Name}: {time.TotalMilliseconds:F0} ms");
                total += time;
            }

            return total;
        }

        private static double Percentile(List<double> values, double percentile)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(percentile * sorted.Count))];
        }

        /// <summary>Registers the same kinds of callbacks as the package and does nothing: the driver's own cost.</summary>
#pragma warning disable RS1001, RS1025, RS1026 // A baseline instantiated directly by this program, never loaded by a compiler.
        private sealed class EmptyAnalyzer : DiagnosticAnalyzer
        {
#pragma warning disable RS2008
            private static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor("EMPTY01", "empty", "empty", "Baseline", DiagnosticSeverity.Hidden, true);
#pragma warning restore RS2008

            public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

            private readonly bool _viaCompilationStart;

            /// <param name="viaCompilationStart">Register from a compilation start action, as every rule of the package does.</param>
            public EmptyAnalyzer(bool viaCompilationStart = false) => _viaCompilationStart = viaCompilationStart;

            public override void Initialize(AnalysisContext context)
            {
                context.EnableConcurrentExecution();
                context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
                if (_viaCompilationStart)
                {
                    context.RegisterCompilationStartAction(start => start.RegisterOperationAction(_ => { }, OperationKind.Invocation, OperationKind.Loop));
                }
                else
                {
                    context.RegisterOperationAction(_ => { }, OperationKind.Invocation, OperationKind.Loop);
                }
            }
        }
#pragma warning restore RS1001, RS1025, RS1026
    }
}
