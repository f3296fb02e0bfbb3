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
    /// Realistic services, tools and harnesses written separately from the rules (tests/.../Corpus), with
    /// the expected findings marked in the code as `// expect: CONC021`. Every file must compile, and the
    /// rules must report exactly the marked lines: a missing finding is a recall bug, an extra one a
    /// precision bug.
    /// </summary>
    public class CorpusTests
    {
        private static readonly Regex Expectation = new Regex(@"//\s*expect:\s*(?<ids>(CONC\d{3}\s*)+)", RegexOptions.Compiled);

        private static readonly string CorpusFolder = RepositoryPaths.Combine("tests", "ConcurrencyAnalyzers.Tests", "Corpus");

        public static IEnumerable<object[]> Files() =>
            Directory.GetFiles(CorpusFolder, "*.cs", SearchOption.AllDirectories)
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { Path.GetRelativePath(CorpusFolder, f).Replace('\\', '/') });

        [Theory]
        [MemberData(nameof(Files))]
        public async Task The_rules_report_exactly_the_marked_lines(string file)
        {
            var text = File.ReadAllText(Path.Combine(CorpusFolder, file));
            var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), path: file);
            var compilation = AnalyzerRunner.Compile(new[] { tree }, await AnalyzerRunner.ReferencesAsync());
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

            var (diagnostics, exceptions) = await AnalyzerRunner.RunAsync(compilation);
            Assert.True(exceptions.Count == 0, string.Join(Environment.NewLine, exceptions));

            var expected = new List<string>();
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var match = Expectation.Match(lines[i]);
                if (match.Success)
                {
                    expected.AddRange(match.Groups["ids"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => $"{file}:{i + 1} {id}"));
                }
            }

            var actual = diagnostics
                .Where(d => d.Id.StartsWith("CONC", StringComparison.Ordinal))
                .Select(d => $"{file}:{d.Location.GetLineSpan().StartLinePosition.Line + 1} {d.Id}")
                .ToList();

            var missing = expected.Except(actual).OrderBy(x => x).ToList();
            var extra = actual.Except(expected).OrderBy(x => x).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                "missing (not reported): " + string.Join(", ", missing) + Environment.NewLine +
                "extra (reported, not expected): " + string.Join(", ", extra));
        }
    }
}
