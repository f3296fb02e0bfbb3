using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace ConcurrencyAnalyzers.Tests.Verifiers
{
    /// <summary>
    /// The repository's one way to test a rule: source with markup (`{|CONC020:…|}`, `[|…|]`), the
    /// expected fixed source, and the framework checks the diagnostics, the fix, Fix All in document,
    /// project and solution scope, and that the fixed code compiles without the diagnostic.
    /// </summary>
    public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

        /// <summary>Only diagnostics: no fix is applied (use for negatives and for rules' messages).</summary>
        public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new Test { TestCode = source };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>The diagnostics in <paramref name="source"/>'s markup are fixed into <paramref name="fixedSource"/>.</summary>
        public static Task VerifyCodeFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        {
            var test = new Test { TestCode = source, FixedCode = fixedSource };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>The fix action with <paramref name="equivalenceKey"/> (and its Fix All) turns <paramref name="source"/> into <paramref name="fixedSource"/>.</summary>
        public static Task VerifyCodeFixAsync(string source, string fixedSource, string equivalenceKey, params DiagnosticResult[] expected)
        {
            var test = new Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = equivalenceKey };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>The diagnostics are reported, but no code fix is offered for them.</summary>
        public static Task VerifyNoCodeFixAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new Test { TestCode = source, FixedCode = source };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            public Test()
            {
                ReferenceAssemblies = TestReferences.Net80;

                // A whole-compilation rule reports from its compilation end; its fix is applied from the
                // build's diagnostics (`dotnet format`, full solution analysis), which the framework calls non-local.
                if (System.Linq.Enumerable.Any(new TAnalyzer().SupportedDiagnostics, d => System.Linq.Enumerable.Contains(d.CustomTags, WellKnownDiagnosticTags.CompilationEnd)))
                {
                    CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipLocalDiagnosticCheck;
                }
                SolutionTransforms.Add((solution, projectId) =>
                {
                    var project = solution.GetProject(projectId)!;
                    var parseOptions = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
                    return solution.WithProjectParseOptions(projectId, parseOptions);
                });
            }
        }
    }

    public static class TestReferences
    {
        /// <summary>One set of reference assemblies for every test: .NET 8, the oldest framework the package supports.</summary>
        public static readonly ReferenceAssemblies Net80 = ReferenceAssemblies.Net.Net80;
    }
}
