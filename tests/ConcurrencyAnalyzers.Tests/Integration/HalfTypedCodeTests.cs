using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConcurrencyAnalyzers.Tests.Integration
{
    /// <summary>
    /// No analyzer may throw (AD0001) on any input. Every C# snippet of the rule tests and every sample
    /// file is cut off at many points and has tokens removed — the code a person has half typed — and
    /// every analyzer runs over each version.
    /// </summary>
    public class HalfTypedCodeTests
    {
        private const int CutsPerSnippet = 24;

        public static IEnumerable<object[]> Snippets()
        {
            foreach (var file in Directory.GetFiles(RepositoryPaths.Combine("tests", "ConcurrencyAnalyzers.Tests", "Rules"), "*.cs").OrderBy(f => f, StringComparer.Ordinal))
            {
                yield return new object[] { Path.GetFileName(file) };
            }

            yield return new object[] { "samples" };
        }

        [Theory]
        [MemberData(nameof(Snippets))]
        public async Task No_analyzer_throws_on_truncated_or_damaged_code(string source)
        {
            var references = await AnalyzerRunner.ReferencesAsync();
            var failures = new List<string>();
            foreach (var snippet in LoadSnippets(source))
            {
                foreach (var variant in Variants(snippet))
                {
                    var tree = CSharpSyntaxTree.ParseText(variant, new CSharpParseOptions(LanguageVersion.Latest));
                    var (_, exceptions) = await AnalyzerRunner.RunAsync(AnalyzerRunner.Compile(new[] { tree }, references));
                    if (exceptions.Count > 0)
                    {
                        failures.Add(exceptions[0] + Environment.NewLine + "--- input ---" + Environment.NewLine + variant);
                        break;
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures.Take(3)));
        }

        [Fact]
        public async Task The_harness_notices_an_analyzer_that_throws()
        {
            var tree = CSharpSyntaxTree.ParseText("class C { void M() { M(); } }");
            var compilation = AnalyzerRunner.Compile(new[] { tree }, await AnalyzerRunner.ReferencesAsync());
            var (_, exceptions) = await AnalyzerRunner.RunAsync(compilation, System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new ThrowingAnalyzer()));
            Assert.NotEmpty(exceptions);
        }

        // Instantiated directly, never loaded by a compiler, so it carries no [DiagnosticAnalyzer] attribute.
#pragma warning disable RS1001
        private sealed class ThrowingAnalyzer : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer
        {
#pragma warning disable RS2008 // A test-only descriptor; it ships in no release.
            private static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor("TEST001", "t", "t", "t", DiagnosticSeverity.Warning, true);
#pragma warning restore RS2008

            public override System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => System.Collections.Immutable.ImmutableArray.Create(Rule);

            public override void Initialize(Microsoft.CodeAnalysis.Diagnostics.AnalysisContext context)
            {
                context.EnableConcurrentExecution();
                context.ConfigureGeneratedCodeAnalysis(Microsoft.CodeAnalysis.Diagnostics.GeneratedCodeAnalysisFlags.None);
                context.RegisterOperationAction(_ => throw new InvalidOperationException("boom"), Microsoft.CodeAnalysis.OperationKind.Invocation);
            }
        }
#pragma warning restore RS1001

        private static IEnumerable<string> LoadSnippets(string source)
        {
            if (source == "samples")
            {
                return Directory.GetFiles(RepositoryPaths.Combine("samples"), "*.cs", SearchOption.AllDirectories)
                    .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
                    .Select(File.ReadAllText);
            }

            // The raw string literals of a test file are its C# snippets; strip the test markup from them.
            var testFile = CSharpSyntaxTree.ParseText(File.ReadAllText(RepositoryPaths.Combine("tests", "ConcurrencyAnalyzers.Tests", "Rules", source)));
            return testFile.GetRoot().DescendantTokens()
                .Where(t => t.IsKind(SyntaxKind.MultiLineRawStringLiteralToken))
                .Select(t => StripMarkup(t.ValueText))
                .ToList();
        }

        private static string StripMarkup(string text)
        {
            text = Regex.Replace(text, @"\{\|(#\d+|CONC\d+):", string.Empty);
            return text.Replace("|}", string.Empty).Replace("[|", string.Empty).Replace("|]", string.Empty);
        }

        /// <summary>The snippet cut off at evenly spread points, and with single tokens removed.</summary>
        private static IEnumerable<string> Variants(string snippet)
        {
            for (var i = 1; i <= CutsPerSnippet; i++)
            {
                yield return snippet.Substring(0, snippet.Length * i / (CutsPerSnippet + 1));
            }

            var tokens = CSharpSyntaxTree.ParseText(snippet).GetRoot().DescendantTokens().ToList();
            var step = Math.Max(1, tokens.Count / CutsPerSnippet);
            for (var i = step / 2; i < tokens.Count; i += step)
            {
                var token = tokens[i];
                yield return snippet.Remove(token.SpanStart, token.Span.Length);
            }
        }
    }
}
