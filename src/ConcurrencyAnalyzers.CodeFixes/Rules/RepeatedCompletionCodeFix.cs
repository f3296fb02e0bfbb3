using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC041 fix for a writer completed twice: `writer.Complete(e)` becomes `writer.TryComplete(e)`,
    /// which does nothing on a writer that is already completed. Offered only for the repeat shapes
    /// (one path, or two members); for several producers or a completing consumer the code needs a
    /// different structure, which the rule page shows.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RepeatedCompletionCodeFix)), Shared]
    public sealed class RepeatedCompletionCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.RepeatedCompletion);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.ContainsKey(RepeatedCompletionAnalyzer.UseTryCompleteProperty)
                || node is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Complete" } access })
            {
                return null;
            }

            editor.ReplaceNode(access.Name, SyntaxFactory.IdentifierName("TryComplete").WithTriviaFrom(access.Name));
            return "Use TryComplete, which does nothing on a completed writer";
        }
    }
}
