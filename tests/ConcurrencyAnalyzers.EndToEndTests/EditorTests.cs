using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.MSBuild;
using Microsoft.CodeAnalysis.Text;

namespace ConcurrencyAnalyzers.EndToEndTests
{
    /// <summary>
    /// The package inside an editor: the consumer project is opened with MSBuildWorkspace (as VS Code and
    /// Rider load projects), its analyzers come from the installed package, a code fix from the package
    /// is applied to a diagnostic, and an edit as a person would type it brings up a new diagnostic.
    /// </summary>
    [Collection(InstalledPackageCollection.Name)]
    public class EditorTests
    {
        private static readonly string[] AllIds = PackageTests.RuleIds;
        private readonly InstalledPackageFixture _package;

        public EditorTests(InstalledPackageFixture package) => _package = package;

        [Fact]
        public async Task Diagnostics_fixes_and_live_edits_work_in_an_MSBuild_workspace()
        {
            var directory = _package.CopyConsumer("editor");
            using var workspace = MSBuildWorkspace.Create();
            var project = await workspace.OpenProjectAsync(Path.Combine(directory, "Consumer.csproj"));
            Assert.DoesNotContain(workspace.Diagnostics, d => d.Kind == WorkspaceDiagnosticKind.Failure);

            // The analyzers come from the package's analyzers/dotnet/cs folder, not from this repository.
            var packageReferences = project.AnalyzerReferences.OfType<AnalyzerFileReference>()
                .Where(r => r.FullPath.Contains(_package.Version, StringComparison.Ordinal))
                .ToList();
            Assert.Equal(2, packageReferences.Count);
            var analyzers = packageReferences.SelectMany(r => r.GetAnalyzers(LanguageNames.CSharp)).ToImmutableArray();
            Assert.Equal(AllIds, analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(id => id));

            var document = project.Documents.Single(d => d.Name == "Jobs.cs");
            var diagnostics = await AnalyzeAsync(document.Project, analyzers);
            Assert.Equal(AllIds, diagnostics.Select(d => d.Id).Distinct().OrderBy(id => id));

            // Ask the package's code-fix providers for the actions at the CONC020 diagnostic and apply one.
            var fixers = LoadCodeFixes(packageReferences);
            var sleep = diagnostics.Single(d => d.Id == "CONC020");
            var actions = await CodeActionsAsync(document, sleep, fixers);
            var action = Assert.Single(actions);
            Assert.Equal("Await Task.Delay instead of Thread.Sleep", action.Title);
            var applied = await ApplyAsync(action, document.Id);
            var fixedText = (await applied.GetTextAsync()).ToString();
            Assert.Contains("await Task.Delay(250, cancellationToken);", fixedText);
            Assert.DoesNotContain("Thread.Sleep(250)", fixedText);
            Assert.DoesNotContain(await AnalyzeAsync(applied.Project, analyzers), d => d.Id == "CONC020");

            // Type a new async method with a blocking sleep, one keystroke batch at a time; the rule sees it.
            var text = await applied.GetTextAsync();
            var insertAt = fixedText.IndexOf("public int Build()", StringComparison.Ordinal);
            var typed = "public async Task PingAsync()\n        {\n            await Task.Yield();\n            Thread.Sleep(5);\n        }\n\n        ";
            var edited = applied;
            for (var length = 10; length <= typed.Length; length += 10)
            {
                edited = applied.WithText(text.WithChanges(new TextChange(new TextSpan(insertAt, 0), typed.Substring(0, length))));
                await AnalyzeAsync(edited.Project, analyzers); // half-typed states must not break analysis
            }

            edited = applied.WithText(text.WithChanges(new TextChange(new TextSpan(insertAt, 0), typed)));
            var afterTyping = await AnalyzeAsync(edited.Project, analyzers);
            var newSleep = Assert.Single(afterTyping, d => d.Id == "CONC020");
            Assert.Contains("'PingAsync'", newSleep.GetMessage());
        }

        private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var compilation = await project.GetCompilationAsync();
            var exceptions = new List<Exception>();
            var options = new CompilationWithAnalyzersOptions(project.AnalyzerOptions, (e, _, _) => exceptions.Add(e), concurrentAnalysis: true, logAnalyzerExecutionTime: false);
            var diagnostics = await compilation!.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();
            Assert.Empty(exceptions);
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
            return diagnostics.Where(d => d.Id.StartsWith("CONC", StringComparison.Ordinal)).ToImmutableArray();
        }

        private static IReadOnlyList<CodeFixProvider> LoadCodeFixes(IEnumerable<AnalyzerFileReference> references)
        {
            var fixes = references.Single(r => r.FullPath.EndsWith("ConcurrencyAnalyzers.CodeFixes.dll", StringComparison.Ordinal));
            var assembly = fixes.GetAssembly();
            return assembly.GetTypes()
                .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
                .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
                .ToList();
        }

        private static async Task<List<CodeAction>> CodeActionsAsync(Document document, Diagnostic diagnostic, IEnumerable<CodeFixProvider> fixers)
        {
            var actions = new List<CodeAction>();
            foreach (var fixer in fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
                await fixer.RegisterCodeFixesAsync(context);
            }

            return actions;
        }

        private static async Task<Document> ApplyAsync(CodeAction action, DocumentId documentId)
        {
            var operations = await action.GetOperationsAsync(CancellationToken.None);
            var apply = operations.OfType<ApplyChangesOperation>().Single();
            return apply.ChangedSolution.GetDocument(documentId)!;
        }
    }
}
