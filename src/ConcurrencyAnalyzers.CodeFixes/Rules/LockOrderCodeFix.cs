using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC030 fix: where the minority order is two `lock` statements nested with nothing between them,
    /// swap them, so that this method takes the locks in the order the rest of the code does. Offered only
    /// for two-lock cycles (the analyzer marks the diagnostic); a longer cycle or an order taken through
    /// calls needs a design decision, not a rewrite.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockOrderCodeFix)), Shared]
    public sealed class LockOrderCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.LockOrder);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.TryGetValue(LockOrderAnalyzer.SwapProperty, out var outerText)
                || node.Parent is not LockStatementSyntax inner
                || inner.Expression != node)
            {
                return null;
            }

            var outer = inner.Parent is BlockSyntax { Statements.Count: 1 } block ? block.Parent as LockStatementSyntax : inner.Parent as LockStatementSyntax;
            // The outer lock must still be the one the diagnostic is about (Fix All may have swapped it already).
            if (outer is null || outer.Expression.ToString() != outerText)
            {
                return null;
            }

            var swappedInner = inner.WithExpression(outer.Expression.WithTriviaFrom(inner.Expression));
            var swapped = outer.ReplaceNode(inner, swappedInner).WithExpression(inner.Expression.WithTriviaFrom(outer.Expression));
            editor.ReplaceNode(outer, swapped.WithAdditionalAnnotations(Formatter.Annotation));
            return "Take '" + inner.Expression + "' before '" + outer.Expression + "', as the rest of the code does";
        }
    }
}
