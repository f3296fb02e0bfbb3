using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConcurrencyAnalyzers.Tests.Meta
{
    /// <summary>Keeps the map from ids to docs, release notes, help links and fixes honest.</summary>
    public class RuleCatalogTests
    {
        [Theory]
        [MemberData(nameof(PackageCatalog.DiagnosticIdData), MemberType = typeof(PackageCatalog))]
        public void Every_rule_has_a_doc_page_with_the_template_sections(string id)
        {
            var path = RepositoryPaths.Combine("docs", "rules", id + ".md");
            Assert.True(File.Exists(path), "missing " + path);
            var text = File.ReadAllText(path);
            foreach (var heading in new[] { "## Cause", "## Why it is a bug", "## Bad", "## Fixed", "## Code fix", "## Configuration", "## When to suppress" })
            {
                Assert.Contains(heading, text);
            }
        }

        [Theory]
        [MemberData(nameof(PackageCatalog.DiagnosticIdData), MemberType = typeof(PackageCatalog))]
        public void Every_rule_has_a_release_tracking_entry(string id)
        {
            var unshipped = File.ReadAllText(RepositoryPaths.Combine("src", "ConcurrencyAnalyzers.Analyzers", "AnalyzerReleases.Unshipped.md"));
            var shipped = File.ReadAllText(RepositoryPaths.Combine("src", "ConcurrencyAnalyzers.Analyzers", "AnalyzerReleases.Shipped.md"));
            Assert.True(Regex.IsMatch(unshipped + shipped, "^" + id + @"\s*\|", RegexOptions.Multiline), id + " is not in AnalyzerReleases");
        }

        [Theory]
        [MemberData(nameof(PackageCatalog.DiagnosticIdData), MemberType = typeof(PackageCatalog))]
        public void Every_rule_is_in_the_catalogue_and_the_README(string id)
        {
            Assert.Contains("| " + id + " |", File.ReadAllText(RepositoryPaths.Combine("README.md")));
        }

        [Fact]
        public void Every_help_link_points_at_the_rules_doc_page_in_the_repository()
        {
            foreach (var descriptor in PackageCatalog.Analyzers.SelectMany(a => a.SupportedDiagnostics))
            {
                Assert.EndsWith("/docs/rules/" + descriptor.Id + ".md", descriptor.HelpLinkUri);
                Assert.StartsWith("https://", descriptor.HelpLinkUri);
                Assert.Equal("Concurrency", descriptor.Category);
            }
        }

        [Fact]
        public void Ids_are_unique_and_each_belongs_to_one_analyzer()
        {
            var owners = PackageCatalog.Analyzers
                .SelectMany(a => a.SupportedDiagnostics.Select(d => (d.Id, Analyzer: a.GetType().Name)))
                .GroupBy(x => x.Id)
                .Where(g => g.Select(x => x.Analyzer).Distinct().Count() > 1)
                .Select(g => g.Key)
                .ToList();
            Assert.Empty(owners);
        }

        [Theory]
        [MemberData(nameof(PackageCatalog.CodeFixData), MemberType = typeof(PackageCatalog))]
        public void Every_code_fix_is_exported_shared_and_offers_Fix_All(string name)
        {
            var type = PackageCatalog.CodeFixTypes.Single(t => t.Name == name);
            var export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
            Assert.NotNull(export);
            Assert.Contains(LanguageNames.CSharp, export!.Languages);
            Assert.Equal(name, export.Name);
            Assert.NotNull(type.GetCustomAttribute<System.Composition.SharedAttribute>());

            var provider = (CodeFixProvider)Activator.CreateInstance(type)!;
            Assert.NotNull(provider.GetFixAllProvider());
            Assert.NotEmpty(provider.FixableDiagnosticIds);
            var knownIds = PackageCatalog.DiagnosticIds.ToHashSet();
            Assert.All(provider.FixableDiagnosticIds, id => Assert.Contains(id, knownIds));
        }

        [Fact]
        public void Code_fix_names_follow_their_analyzers()
        {
            // One rule, one name: FooAnalyzer pairs with FooCodeFix and FooTests.
            var analyzerNames = PackageCatalog.Analyzers.Select(a => a.GetType().Name.Replace("Analyzer", string.Empty)).ToHashSet();
            foreach (var fix in PackageCatalog.CodeFixTypes)
            {
                Assert.Contains(fix.Name.Replace("CodeFix", string.Empty), analyzerNames);
            }
        }

        [Theory]
        [MemberData(nameof(PackageCatalog.AnalyzerData), MemberType = typeof(PackageCatalog))]
        public void Every_analyzer_runs_concurrently_and_skips_generated_code(string name)
        {
            var analyzer = PackageCatalog.Analyzers.Single(a => a.GetType().Name == name);
            var context = new RecordingAnalysisContext();
            analyzer.Initialize(context);
            Assert.True(context.ConcurrentExecutionEnabled, name + " does not enable concurrent execution");
            Assert.Equal(GeneratedCodeAnalysisFlags.None, context.GeneratedCodeFlags);
        }

        private sealed class RecordingAnalysisContext : AnalysisContext
        {
            public bool ConcurrentExecutionEnabled { get; private set; }

            public GeneratedCodeAnalysisFlags? GeneratedCodeFlags { get; private set; }

            public override void EnableConcurrentExecution() => ConcurrentExecutionEnabled = true;

            public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => GeneratedCodeFlags = analysisMode;

            public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) { }
            public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) { }
            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) { }
            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) { }
            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) { }
            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) { }
            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) { }
            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) { }
        }
    }
}
