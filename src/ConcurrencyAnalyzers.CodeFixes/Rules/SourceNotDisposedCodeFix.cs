using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC013 fix: `var cts = new CancellationTokenSource(…);` becomes `using var cts = …;`, and a source
    /// used on the spot (`GetAsync(url, new CancellationTokenSource(t).Token)`) moves into a `using var`
    /// declared just before its statement. Needs C# 8 and a statement in a block; the local must not be
    /// assigned again (a using variable is read-only).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SourceNotDisposedCodeFix)), Shared]
    public sealed class SourceNotDisposedCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SourceNotDisposed);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (node is not ExpressionSyntax creation
                || ((CSharpParseOptions)node.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8)
            {
                return null;
            }

            var model = editor.SemanticModel;
            var operation = model.GetOperation(creation, cancellationToken);
            var types = KnownTypes.For(model.Compilation);
            if (operation is null || !SourceDisposal.IsCreation(operation, types))
            {
                return null;
            }

            var fate = SourceDisposal.FateOf(operation, out var local);
            return fate switch
            {
                SourceFate.LocalNeverDisposed when local is not null => PlanUsingDeclaration(editor, creation, local, cancellationToken),
                SourceFate.Dropped => PlanHoist(editor, creation, cancellationToken),
                _ => null,
            };
        }

        private static string? PlanUsingDeclaration(DocumentEditor editor, ExpressionSyntax creation, ILocalSymbol local, CancellationToken cancellationToken)
        {
            if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax statement } } }
                || !statement.UsingKeyword.IsKind(SyntaxKind.None)
                || statement.Parent is not (BlockSyntax or GlobalStatementSyntax))
            {
                return null;
            }

            // A using variable cannot be assigned.
            var scope = statement.Parent;
            foreach (var identifier in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText == local.Name
                    && identifier.Parent is AssignmentExpressionSyntax assignment
                    && assignment.Left == identifier
                    && SymbolEqualityComparer.Default.Equals(editor.SemanticModel.GetSymbolInfo(identifier, cancellationToken).Symbol, local))
                {
                    return null;
                }
            }

            var usingKeyword = SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithLeadingTrivia(statement.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.Space);
            editor.ReplaceNode(statement, statement.WithoutLeadingTrivia().WithUsingKeyword(usingKeyword));
            return "Declare '" + local.Name + "' with using";
        }

        private static string? PlanHoist(DocumentEditor editor, ExpressionSyntax creation, CancellationToken cancellationToken)
        {
            var statement = creation.FirstAncestorOrSelf<StatementSyntax>();
            if (statement is null
                || statement.Parent is not BlockSyntax
                || statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or ForEachStatementSyntax or LocalFunctionStatementSyntax
                || creation.Ancestors().TakeWhile(a => a != statement).Any(a => a is AnonymousFunctionExpressionSyntax or ConditionalExpressionSyntax or BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression or (int)SyntaxKind.LogicalOrExpression or (int)SyntaxKind.CoalesceExpression }))
            {
                return null;
            }

            var name = FixSyntax.UniqueName(editor.SemanticModel, statement.SpanStart, "timeoutSource");
            var declaration = SyntaxFactory.ParseStatement("using var " + name + " = " + creation.WithoutTrivia().ToFullString() + ";")
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithTrailingTrivia(SyntaxFactory.EndOfLine(FixSyntax.EndOfLineText(statement.SyntaxTree.GetRoot(cancellationToken))))
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.InsertBefore(statement, declaration);
            editor.ReplaceNode(creation, SyntaxFactory.IdentifierName(name).WithTriviaFrom(creation));
            return "Declare the source with using";
        }
    }
}
