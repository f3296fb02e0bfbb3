using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC004 fix: `var iCopy = i;` right before the statement that creates the delegate, inside the
    /// loop body, and the delegate captures the copy — a new variable on every iteration.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LoopVariableCaptureCodeFix)), Shared]
    public sealed class LoopVariableCaptureCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.LoopVariableCapture);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var loop = node.FirstAncestorOrSelf<ForStatementSyntax>();
            if (node is not IdentifierNameSyntax || loop is null || model.GetSymbolInfo(node, cancellationToken).Symbol is not ILocalSymbol variable)
            {
                return null;
            }

            // The outermost delegate inside the loop body that holds this use.
            var lambda = node.Ancestors().OfType<AnonymousFunctionExpressionSyntax>().LastOrDefault(l => loop.Statement.Span.Contains(l.Span));
            if (lambda is null)
            {
                return null;
            }

            // The statement of the loop body that creates the delegate: the copy goes right before it.
            var statement = lambda.Ancestors().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent is BlockSyntax && loop.Statement.Span.Contains(s.Span))
                ?? (loop.Statement is BlockSyntax ? null : loop.Statement);
            if (statement is null)
            {
                return null;
            }

            var copy = FixSyntax.UniqueName(model, statement.SpanStart, variable.Name + "Copy");
            var uses = lambda.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Where(n => n.Identifier.ValueText == variable.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, variable))
                .ToList();
            var rewritten = statement.ReplaceNodes(uses, (original, _) => SyntaxFactory.IdentifierName(copy).WithTriviaFrom(original));
            FixSyntax.ReplaceStatement(editor, statement, new[] { FixSyntax.Statement("var " + copy + " = " + variable.Name + ";"), rewritten.WithoutLeadingTrivia() });
            return "Capture a copy of '" + variable.Name + "' made in this iteration";
        }
    }
}
