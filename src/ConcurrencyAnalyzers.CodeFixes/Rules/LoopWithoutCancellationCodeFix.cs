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
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC011 fixes: stop the loop with the token in scope (its condition checks the token, and the calls
    /// inside that can take a token get it), or, with no token in scope, add a `CancellationToken
    /// cancellationToken = default` parameter to the method and do the same with it. An optional parameter
    /// at the end keeps every call compiling; the parameter is not added where it would not (a method
    /// used as a method group, an override or interface implementation, a params method, an overloaded
    /// name). On a public method the added parameter changes the public API, so it is a separate action,
    /// which a bulk fix (`dotnet format`, Fix All of another action) does not apply unless asked for by its key.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LoopWithoutCancellationCodeFix)), Shared]
    public sealed class LoopWithoutCancellationCodeFix : PlannedCodeFix
    {
        private const string UseToken = "UseToken";
        private const string AddParameter = "AddParameter";
        private const string AddPublicParameter = "AddPublicParameter";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.LoopWithoutCancellation);

        private protected override ImmutableArray<string> Actions { get; } = ImmutableArray.Create(UseToken, AddParameter, AddPublicParameter);

        private protected override ImmutableArray<string> ExplicitOnlyActions { get; } = ImmutableArray.Create(AddPublicParameter);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            if (node is not (WhileStatementSyntax or ForStatementSyntax or DoStatementSyntax)
                || model.GetOperation(node, cancellationToken) is not ILoopOperation loop
                || !EndlessLoop.IsEndless(loop)
                || ReturnsValue(loop))
            {
                return null;
            }

            var types = KnownTypes.For(model.Compilation);
            if (types.CancellationToken is null)
            {
                return null;
            }

            // A hosted service's StartAsync token only aborts the start: it would never stop the loop.
            var inScope = CancellationTokenScope.FindInnermost(model, node.SpanStart, types);
            if (inScope is not null && DroppedTask.IsStartupToken(inScope, loop))
            {
                return null;
            }

            // Fix All with the added-parameter action: an earlier fix in the method already added the
            // parameter, so this loop uses it.
            if (action != UseToken && inScope == "cancellationToken" && IsAddedParameter(model, node, inScope, cancellationToken))
            {
                action = UseToken;
            }

            if (action == UseToken)
            {
                if (inScope is null)
                {
                    return null;
                }

                StopWith(editor, (StatementSyntax)node, loop, inScope, types);
                return "Stop the loop when '" + inScope + "' is cancelled";
            }

            if (inScope is not null || !CanAddParameter(model, node, action == AddPublicParameter, cancellationToken, out var method, out var declaration))
            {
                return null;
            }

            var isPublic = action == AddPublicParameter;

            var name = FixSyntax.UniqueName(model, declaration.Body?.SpanStart ?? declaration.SpanStart, "cancellationToken");
            var typeName = FixSyntax.TypeName(editor, model, declaration.SpanStart, types.CancellationToken);
            var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(name))
                .WithType(SyntaxFactory.ParseTypeName(typeName).WithTrailingTrivia(SyntaxFactory.Space))
                .WithDefault(SyntaxFactory.EqualsValueClause(
                    SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression)));
            editor.ReplaceNode(declaration.ParameterList, (current, _) =>
            {
                var list = (ParameterListSyntax)current;
                var added = list.Parameters.Count == 0 ? parameter : parameter.WithLeadingTrivia(SyntaxFactory.Space);
                return list.WithParameters(list.Parameters.Add(added));
            });
            StopWith(editor, (StatementSyntax)node, loop, name, types);
            return isPublic
                ? "Add a CancellationToken parameter to '" + method.Name + "' and stop the loop with it (changes its public signature)"
                : "Add a CancellationToken parameter to '" + method.Name + "' and stop the loop with it";
        }

        /// <summary>An optional `CancellationToken cancellationToken = default` parameter of the enclosing method, the kind this fix adds.</summary>
        private static bool IsAddedParameter(SemanticModel model, SyntaxNode loop, string name, CancellationToken cancellationToken) =>
            loop.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method
            && model.GetDeclaredSymbol(method, cancellationToken) is { } symbol
            && symbol.Parameters.Length > 0
            && symbol.Parameters[symbol.Parameters.Length - 1] is { Name: var last, HasExplicitDefaultValue: true } && last == name;

        /// <summary>
        /// The function ends after the loop: with a value to return (`Task&lt;int&gt;`, `int`), that end is
        /// now reachable and does not compile, so the fix is not offered.
        /// </summary>
        private static bool ReturnsValue(ILoopOperation loop)
        {
            var enclosing = EnclosingFunction.Of(loop, loop.SemanticModel?.GetEnclosingSymbol(loop.Syntax.SpanStart));
            var function = enclosing.Symbol;
            if (function is null)
            {
                return true;
            }

            // A lambda whose end cannot be reached binds as returning a value (`Task.Run(() => { while (true) … })`
            // picks Func<Task>); with no `return x;` in it, it becomes an Action once its end is reachable.
            if (enclosing.FunctionOperation is IAnonymousFunctionOperation lambda && !function.IsAsync)
            {
                return lambda.Body.DescendantsInSameFunction().Any(o => o is IReturnOperation { ReturnedValue: { IsImplicit: false } });
            }

            // An async Task, ValueTask or void function returns no value; Task<T> and ValueTask<T> do.
            return function.IsAsync ? function.ReturnType is INamedTypeSymbol { IsGenericType: true } : !function.ReturnsVoid;
        }

        /// <summary>
        /// The loop's condition checks the token, and in task-based work the calls in its body that can take
        /// a token get it. Their OperationCanceledException ends a task as cancelled; on a raw thread, a
        /// thread-pool item or a timer callback it would be unhandled and end the process, so there only the
        /// condition changes.
        /// </summary>
        private static void StopWith(DocumentEditor editor, StatementSyntax loopSyntax, ILoopOperation loop, string token, KnownTypes types)
        {
            var check = SyntaxFactory.ParseExpression("!" + token + ".IsCancellationRequested");
            if (IsTaskBased(loop, types))
            {
                TokenArguments.PassTo(editor, TokenArguments.CallsWithoutToken(loop.Body, types), token);
            }

            editor.ReplaceNode(loopSyntax, (current, _) => current switch
            {
                WhileStatementSyntax @while => @while.WithCondition(check.WithTriviaFrom(@while.Condition)),
                DoStatementSyntax @do => @do.WithCondition(check.WithTriviaFrom(@do.Condition)),
                ForStatementSyntax @for when @for.Condition is null => @for.WithCondition(check)
                    .WithFirstSemicolonToken(@for.FirstSemicolonToken.WithTrailingTrivia(SyntaxFactory.Space))
                    .WithSecondSemicolonToken(@for.SecondSemicolonToken.WithTrailingTrivia(@for.Incrementors.Count > 0 ? SyntaxFactory.TriviaList(SyntaxFactory.Space) : SyntaxFactory.TriviaList())),
                ForStatementSyntax @for => @for.WithCondition(check.WithTriviaFrom(@for.Condition!)),
                _ => current,
            });
        }

        /// <summary>An async function, or a delegate run by Task.Run or StartNew: a cancellation exception ends a task.</summary>
        private static bool IsTaskBased(ILoopOperation loop, KnownTypes types)
        {
            // async void work (an async lambda given to the thread pool or a timer) is not: its exception is unhandled.
            var function = EnclosingFunction.Of(loop, loop.SemanticModel?.GetEnclosingSymbol(loop.Syntax.SpanStart));
            if (function.IsAsync)
            {
                return function.Symbol is { ReturnsVoid: false };
            }

            return function.FunctionOperation is IAnonymousFunctionOperation lambda
                && ConcurrentEntryPoint.Enclosing(loop, types) is { } entry
                && entry.Work.Contains(lambda)
                && entry.Kind is ConcurrencyKind.TaskRun or ConcurrencyKind.TaskFactoryStartNew;
        }

        /// <summary>
        /// The method the loop is in (directly, or in a lambda of it that may capture its parameters), when an
        /// optional parameter at the end of it leaves every use of it compiling.
        /// </summary>
        private static bool CanAddParameter(SemanticModel model, SyntaxNode loop, bool publicApi, CancellationToken cancellationToken, out IMethodSymbol method, out MethodDeclarationSyntax declaration)
        {
            method = null!;
            declaration = null!;
            foreach (var ancestor in loop.Ancestors())
            {
                if (ancestor is AnonymousFunctionExpressionSyntax lambda && lambda.Modifiers.Any(SyntaxKind.StaticKeyword))
                {
                    return false;
                }

                if (ancestor is LocalFunctionStatementSyntax)
                {
                    return false;
                }

                if (ancestor is MethodDeclarationSyntax found)
                {
                    declaration = found;
                    break;
                }
            }

            if (declaration is null
                || model.GetDeclaredSymbol(declaration, cancellationToken) is not { } symbol
                || symbol.IsOverride || symbol.IsAbstract || symbol.IsExtern || symbol.IsVirtual || symbol.PartialDefinitionPart is not null || symbol.PartialImplementationPart is not null
                || symbol.ExplicitInterfaceImplementations.Length > 0
                || symbol.Name == "Main"
                || (symbol.Parameters.Length > 0 && symbol.Parameters[symbol.Parameters.Length - 1].IsParams)
                || symbol.ContainingType.TypeKind == TypeKind.Interface
                || symbol.ContainingType.GetMembers(symbol.Name).Length > 1
                || ImplementsInterface(symbol)
                || IsPublicApi(symbol) != publicApi
                || IsUsedAsMethodGroup(model.Compilation, symbol, cancellationToken))
            {
                return false;
            }

            method = symbol;
            return true;
        }

        private static bool ImplementsInterface(IMethodSymbol method)
        {
            foreach (var face in method.ContainingType.AllInterfaces)
            {
                foreach (var member in face.GetMembers(method.Name))
                {
                    if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>A use of the method that is not a call (`new Thread(Pump)`, `Task.Run(PumpAsync)`) would stop compiling.</summary>
        private static bool IsUsedAsMethodGroup(Compilation compilation, IMethodSymbol method, CancellationToken cancellationToken)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.GetText(cancellationToken).ToString().IndexOf(method.Name, System.StringComparison.Ordinal) < 0)
                {
                    continue;
                }

                SemanticModel? model = null;
                foreach (var identifier in tree.GetRoot(cancellationToken).DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    if (identifier.Identifier.ValueText != method.Name)
                    {
                        continue;
                    }

                    var expression = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? (ExpressionSyntax)access : identifier;
                    if (expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression)
                    {
                        // A call in an expression tree cannot leave out an optional argument (CS0854).
                        if (!InExpressionTree(invocation, compilation, ref model, tree, cancellationToken))
                        {
                            continue;
                        }

                        model ??= compilation.GetSemanticModel(tree);
                        if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol?.OriginalDefinition, method.OriginalDefinition))
                        {
                            return true;
                        }

                        continue;
                    }

                    if (expression.Parent is ArgumentSyntax { Parent.Parent: InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } })
                    {
                        continue;
                    }

#pragma warning disable RS1030 // A code fix, not an analyzer: it looks at every file once, when the user asks for the fix.
                    model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                    var bound = model.GetSymbolInfo(identifier, cancellationToken);
                    if (SymbolEqualityComparer.Default.Equals(bound.Symbol?.OriginalDefinition, method.OriginalDefinition)
                        || bound.CandidateSymbols.Any(c => SymbolEqualityComparer.Default.Equals(c.OriginalDefinition, method.OriginalDefinition)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

#pragma warning disable RS1030 // A code fix, not an analyzer: it looks at the files that name the method, once, when asked.
        private static bool InExpressionTree(InvocationExpressionSyntax call, Compilation compilation, ref SemanticModel? model, SyntaxTree tree, CancellationToken cancellationToken)
        {
            foreach (var lambda in call.Ancestors().OfType<LambdaExpressionSyntax>())
            {
                model ??= compilation.GetSemanticModel(tree);
                if (model.GetTypeInfo(lambda, cancellationToken).ConvertedType is INamedTypeSymbol { Name: "Expression", IsGenericType: true })
                {
                    return true;
                }
            }

            return false;
        }
#pragma warning restore RS1030

        private static bool IsPublicApi(IMethodSymbol method)
        {
            if (method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            {
                return false;
            }

            for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                if (type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
