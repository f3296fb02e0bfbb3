using System.Linq;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Wraps the statement around a racy access in `lock`: on the object the type already locks for that
    /// variable, else on another lock object of the type, else on a new `private readonly object` (a
    /// `Lock` where the framework and language have it), static where the code or the state is.
    /// Not offered for statements that await (no await inside lock) or declare locals used later.
    /// </summary>
    internal static class LockRewrite
    {
        /// <param name="requiredLock">The lock object to use (CONC003 knows it); null to choose one.</param>
        public static string? Plan(DocumentEditor editor, SemanticModel model, KnownTypes types, SyntaxNode node, IOperation operation, string? requiredLock, CancellationToken cancellationToken)
        {
            // The lock goes around the statement that makes the access, inside the same function: for an
            // access in an expression-bodied lambda or member, the expression body becomes a block.
            var typeDeclaration = node.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            var function = node.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or PropertyDeclarationSyntax);
            var statement = node.FirstAncestorOrSelf<StatementSyntax>();
            if (statement is not null && function is not null && (!function.Span.Contains(statement.Span) || statement == function))
            {
                statement = null;
            }

            var expressionBody = statement is null ? ExpressionBodyOf(function) : null;
            if (typeDeclaration is null
                || (statement is null && expressionBody is null)
                || statement is LocalDeclarationStatementSyntax or LabeledStatementSyntax or LocalFunctionStatementSyntax
                || DeclaresVariables(statement)
                || (statement ?? (SyntaxNode?)expressionBody)!.DescendantNodesAndSelf().Any(n => n is AwaitExpressionSyntax)
                || statement?.Parent is GlobalStatementSyntax)
            {
                return null;
            }

            var member = model.GetEnclosingSymbol(node.SpanStart, cancellationToken);
            while (member is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            {
                member = member.ContainingSymbol;
            }

            if (member is null || model.GetDeclaredSymbol(typeDeclaration, cancellationToken) is not INamedTypeSymbol type)
            {
                return null;
            }

            var location = LocationOf(operation);
            var needsStatic = member.IsStatic || (location?.IsStatic ?? false);
            var lockName = requiredLock ?? ExistingLock(model, typeDeclaration, location, needsStatic, cancellationToken);
            if (lockName is not null && IsAlreadyLockedOn(node, lockName))
            {
                return null;
            }

            if (lockName is null)
            {
                lockName = FixSyntax.UniqueName(model, typeDeclaration.OpenBraceToken.Span.End, needsStatic ? "s_sync" : "_sync");
                var useLockType = types.Lock is not null
                    && ((CSharpParseOptions)typeDeclaration.SyntaxTree.Options).LanguageVersion >= (LanguageVersion)1300;
                var lockType = useLockType ? FixSyntax.TypeName(editor, model, node.SpanStart, types.Lock!) : "object";
                FixSyntax.InsertFirstMember(editor, typeDeclaration, "private " + (needsStatic ? "static " : string.Empty) + "readonly " + lockType + " " + lockName + " = new " + lockType + "();");
            }

            if (statement is not null)
            {
                var locked = SyntaxFactory.LockStatement(
                        SyntaxFactory.ParseExpression(lockName),
                        SyntaxFactory.Block(statement.WithoutLeadingTrivia().WithoutTrailingTrivia()))
                    .WithLeadingTrivia(statement.GetLeadingTrivia())
                    .WithTrailingTrivia(statement.GetTrailingTrivia())
                    .WithAdditionalAnnotations(Formatter.Annotation);
                editor.ReplaceNode(statement, locked);
                return "Hold lock '" + lockName + "' around the statement";
            }

            // `() => _list.Add(x)` becomes `() => { lock (_sync) { _list.Add(x); } }` (with `return` for a value).
            var returnsValue = ReturnsValue(model, function!, cancellationToken);
            var inner = returnsValue
                ? (StatementSyntax)SyntaxFactory.ReturnStatement(expressionBody!.WithoutTrivia())
                : SyntaxFactory.ExpressionStatement(expressionBody!.WithoutTrivia());
            var body = SyntaxFactory.Block(SyntaxFactory.LockStatement(SyntaxFactory.ParseExpression(lockName), SyntaxFactory.Block(inner)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            switch (function)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    editor.ReplaceNode(lambda, lambda.WithExpressionBody(null).WithBlock(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                case BaseMethodDeclarationSyntax method:
                    editor.ReplaceNode(method, method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                case LocalFunctionStatementSyntax localFunction:
                    editor.ReplaceNode(localFunction, localFunction.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                default:
                    return null;
            }

            return "Hold lock '" + lockName + "' around the statement";
        }

        private static ISymbol? LocationOf(IOperation operation) => operation switch
        {
            IIncrementOrDecrementOperation increment => increment.Target.ReferencedSymbol(),
            IAssignmentOperation { Target: IPropertyReferenceOperation { Arguments.Length: > 0, Instance: { } collection } } => collection.ReferencedSymbol(),
            IAssignmentOperation assignment => assignment.Target.ReferencedSymbol(),
            IInvocationOperation { Instance: { } receiver } => receiver.ReferencedSymbol(),
            _ => null,
        };

        /// <summary>
        /// The lock object the type already uses: first one held where the same variable is written, then any
        /// field of the type used in a lock statement. It must be usable here (static in static code).
        /// </summary>
        private static string? ExistingLock(SemanticModel model, TypeDeclarationSyntax typeDeclaration, ISymbol? location, bool needsStatic, CancellationToken cancellationToken)
        {
            string? anyLock = null;
            foreach (var lockStatement in typeDeclaration.DescendantNodes().OfType<LockStatementSyntax>())
            {
                if (model.GetSymbolInfo(lockStatement.Expression, cancellationToken).Symbol is not IFieldSymbol lockField
                    || (needsStatic && !lockField.IsStatic)
                    || !SymbolEqualityComparer.Default.Equals(lockField.ContainingType, model.GetDeclaredSymbol(typeDeclaration, cancellationToken)))
                {
                    continue;
                }

                anyLock ??= lockField.Name;
                if (location is not null && lockStatement.Statement.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n =>
                        n.Identifier.ValueText == location.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, location)))
                {
                    return lockField.Name;
                }
            }

            return anyLock;
        }

        private static bool IsAlreadyLockedOn(SyntaxNode node, string lockName) =>
            node.Ancestors().OfType<LockStatementSyntax>().Any(l => l.Expression.ToString() == lockName);

        private static ExpressionSyntax? ExpressionBodyOf(SyntaxNode? function) => function switch
        {
            AnonymousFunctionExpressionSyntax lambda => lambda.ExpressionBody,
            BaseMethodDeclarationSyntax method => method.ExpressionBody?.Expression,
            LocalFunctionStatementSyntax local => local.ExpressionBody?.Expression,
            _ => null,
        };

        /// <summary>`out var x`, `is T t`: variables a block would hide from the code after the statement.</summary>
        private static bool DeclaresVariables(StatementSyntax? statement) =>
            statement is not null
            && !(statement is BlockSyntax)
            && statement.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax).Any(n => n is DeclarationExpressionSyntax or SingleVariableDesignationSyntax);

        private static bool ReturnsValue(SemanticModel model, SyntaxNode function, CancellationToken cancellationToken)
        {
            var symbol = function is AnonymousFunctionExpressionSyntax
                ? model.GetSymbolInfo(function, cancellationToken).Symbol as IMethodSymbol
                : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;
            return symbol is not null && !symbol.ReturnsVoid;
        }
    }
}
