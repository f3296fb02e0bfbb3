using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConcurrencyAnalyzers.Tests.Integration
{
    /// <summary>
    /// The sample's diagnostics are checked in (samples/expected-diagnostics.txt), so that any change in
    /// what the analyzers report on realistic code shows as a diff. Set UPDATE_SNAPSHOTS=1 to rewrite it.
    /// </summary>
    public class SampleSnapshotTests
    {
        [Fact]
        public async Task The_sample_reports_exactly_the_expected_diagnostics()
        {
            var sampleFolder = RepositoryPaths.Combine("samples", "WorkerService");
            var files = Directory.GetFiles(sampleFolder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), path: Path.GetFileName(f)));
            var compilation = AnalyzerRunner.Compile(trees, await AnalyzerRunner.ReferencesAsync())
                .WithOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

            var (diagnostics, exceptions) = await AnalyzerRunner.RunAsync(compilation);
            Assert.Empty(exceptions);

            var actual = string.Join("\n", diagnostics
                .Where(d => d.Id.StartsWith("CONC", StringComparison.Ordinal))
                .Select(Format)
                .OrderBy(line => line, StringComparer.Ordinal)) + "\n";

            var snapshot = RepositoryPaths.Combine("samples", "expected-diagnostics.txt");
            if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
            {
                File.WriteAllText(snapshot, actual);
            }

            Assert.True(File.Exists(snapshot), "missing " + snapshot + "; run the tests once with UPDATE_SNAPSHOTS=1");
            Assert.Equal(File.ReadAllText(snapshot).Replace("\r\n", "\n"), actual);
        }

        private static string Format(Diagnostic diagnostic)
        {
            var span = diagnostic.Location.GetLineSpan();
            return $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage()}";
        }
    }
}
