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
    /// assigned again (a using variable is read-only), and its token must not outlive the block: every use
    /// of it has to be a call awaited or blocked on right there, or a cancel or check of the source.
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
                || statement.Parent is not BlockSyntax)
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

            // Disposed at the end of the block: every use of its token must be over by then.
            if (editor.SemanticModel.GetOperation(scope, cancellationToken) is not { } scopeOperation || !TokenStaysInScope(local, scopeOperation))
            {
                return null;
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
                || statement is ExpressionStatementSyntax { Expression: var whole } && whole == creation
                || statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or ForEachStatementSyntax or LocalFunctionStatementSyntax
                || !FixSyntax.IsEvaluatedFirst(creation, statement))
            {
                return null;
            }

            // `Call(new CancellationTokenSource(t).Token)`: the call must be awaited there, so the token's use
            // is over when the block ends.
            if (editor.SemanticModel.GetOperation(creation, cancellationToken) is not { } created
                || created.WalkUpConversions(out _) is not IPropertyReferenceOperation { Property.Name: "Token" } token
                || !IsUsedOnTheSpot(token))
            {
                return null;
            }

            var name = FixSyntax.UniqueName(editor.SemanticModel, statement.SpanStart, "timeoutSource", FixSyntax.LocalsDeclaredIn(statement.Parent!));
            var indentation = statement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
            var declaration = SyntaxFactory.ParseStatement("using var " + name + " = " + creation.WithoutTrivia().ToFullString() + ";")
                .WithLeadingTrivia(indentation.IsKind(SyntaxKind.WhitespaceTrivia) ? SyntaxFactory.TriviaList(indentation) : SyntaxFactory.TriviaList())
                .WithTrailingTrivia(SyntaxFactory.EndOfLine(FixSyntax.EndOfLineText(statement.SyntaxTree.GetRoot(cancellationToken))))
                .WithAdditionalAnnotations(Formatter.Annotation);
            // The new declaration goes between the statement's comments and the statement.
            editor.InsertBefore(statement, declaration.WithLeadingTrivia(statement.GetLeadingTrivia()));
            editor.ReplaceNode(creation, SyntaxFactory.IdentifierName(name).WithTriviaFrom(creation));
            editor.ReplaceNode(statement, (current, _) => current.WithLeadingTrivia(declaration.GetLeadingTrivia()));
            return "Declare the source with using";
        }

        /// <summary>
        /// Every use of the source in the block is one that ends within it: Cancel, CancelAfter,
        /// IsCancellationRequested, or its Token given to a call that is awaited or blocked on where it is
        /// made, or used directly (`cts.Token.ThrowIfCancellationRequested()`).
        /// </summary>
        private static bool TokenStaysInScope(ILocalSymbol local, IOperation scope)
        {
            foreach (var operation in scope.DescendantsInSourceOrder())
            {
                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                switch (reference.WalkUpConversions(out _))
                {
                    case IPropertyReferenceOperation { Property.Name: "Token" } token when IsUsedOnTheSpot(token):
                    case IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAfter" or "CancelAsync" or "TryReset" }:
                    case IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" }:
                        continue;
                    default:
                        return false;
                }
            }

            return true;
        }

        private static bool IsUsedOnTheSpot(IOperation token)
        {
            switch (token.WalkUpConversions(out var child))
            {
                case IArgumentOperation { Parent: IInvocationOperation call }:
                    return call.IsAwaitedOrBlockedOn();
                case IInvocationOperation call when ReferenceEquals(call.Instance, child):
                    return call.TargetMethod.Name is "ThrowIfCancellationRequested";
                case IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" }:
                    return true;
                default:
                    return false;
            }
        }
    }
}
