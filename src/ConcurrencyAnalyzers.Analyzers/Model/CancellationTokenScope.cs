using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// Finds the cancellation token code at a position should pass on: the innermost token parameter or
    /// local first (a lambda's own token before the method's) or a linked CancellationTokenSource local
    /// declared after it, whose Token is used; then a token field or property of the type, then the Token
    /// of a CancellationTokenSource local. Sources already cancelled or disposed before the position are
    /// never offered, and neither are instance members or outer locals where a static lambda, a static
    /// local function or an initializer cannot use them.
    /// </summary>
    internal static class CancellationTokenScope
    {
        /// <returns>An expression that names the token (`cancellationToken`, `cts.Token`), or null.</returns>
        public static string? FindInnermost(SemanticModel semanticModel, int position, KnownTypes types) =>
            Find(semanticModel, position, types, out var source) is { } symbol ? (source ? symbol.Name + ".Token" : symbol.Name) : null;

        /// <summary>The token symbol, or the CancellationTokenSource local (<paramref name="isSource"/>) whose Token to use.</summary>
        /// <param name="acceptSource">Which CancellationTokenSource locals may be used; all when null.</param>
        /// <param name="names">
        /// When given, only symbols with these names are looked up (a cheap lookup by name instead of
        /// every symbol in scope); the caller collects the names of the member's tokens and sources.
        /// </param>
        public static ISymbol? Find(SemanticModel semanticModel, int position, KnownTypes types, out bool isSource, System.Func<ISymbol, bool>? acceptSource = null, IEnumerable<string>? names = null)
        {
            isSource = false;
            if (types.CancellationToken is null)
            {
                return null;
            }

            ISymbol? best = null;
            var bestPosition = -1;
            ISymbol? member = null;
            ISymbol? source = null;
            var sourcePosition = -1;
            var enclosing = semanticModel.GetEnclosingSymbol(position);
            var inStaticContext = IsStaticContext(enclosing);

            foreach (var symbol in Candidates(semanticModel, position, names))
            {
                var type = symbol.ValueType();
                if (symbol is ILocalSymbol or IParameterSymbol && !IsReachable(symbol, enclosing))
                {
                    continue;
                }

                var declaredAt = DeclarationPosition(symbol);
                switch (symbol)
                {
                    case ILocalSymbol or IParameterSymbol when KnownTypes.Is(type, types.CancellationToken):
                        // Locals are in scope for their whole block; only those declared before the position count.
                        if ((symbol is IParameterSymbol || declaredAt < position) && declaredAt > bestPosition)
                        {
                            best = symbol;
                            bestPosition = declaredAt;
                        }

                        break;
                    case ILocalSymbol when KnownTypes.Is(type, types.CancellationTokenSource):
                        if (declaredAt < position && declaredAt > sourcePosition && (acceptSource is null || acceptSource(symbol)) && !IsSpentBefore(symbol, position))
                        {
                            source = symbol;
                            sourcePosition = declaredAt;
                        }

                        break;
                    case IFieldSymbol or IPropertySymbol when KnownTypes.Is(type, types.CancellationToken) && (symbol.IsStatic || (!inStaticContext && IsMemberOfEnclosingType(symbol, enclosing))):
                        member ??= symbol;
                        break;
                }
            }

            // A linked source declared after the token (`using var timeout =
            // CreateLinkedTokenSource(cancellationToken)`) is the narrower one: its token also carries the
            // outer one. A source that is not linked would drop the caller's cancellation, so the token wins.
            if (best is not null && (source is null || sourcePosition < bestPosition || !IsLinked(source)))
            {
                return best;
            }

            if (best is not null)
            {
                isSource = true;
                return source;
            }

            if (member is not null)
            {
                return member;
            }

            isSource = source is not null;
            return source;
        }

        /// <summary>
        /// The names of the CancellationToken fields and properties of a type and its base types, and with
        /// <paramref name="withSources"/> of its CancellationTokenSource ones too.
        /// </summary>
        public static List<string> MemberNames(INamedTypeSymbol type, KnownTypes types, bool withSources)
        {
            var names = new List<string>();
            for (var current = type; current is not null; current = current.BaseType)
            {
                foreach (var member in current.GetMembers())
                {
                    var memberType = member.ValueType();
                    if (member is IFieldSymbol or IPropertySymbol
                        && (KnownTypes.Is(memberType, types.CancellationToken) || (withSources && KnownTypes.Is(memberType, types.CancellationTokenSource))))
                    {
                        names.Add(member.Name);
                    }
                }
            }

            return names;
        }

        private static IEnumerable<ISymbol> Candidates(SemanticModel semanticModel, int position, IEnumerable<string>? names)
        {
            if (names is null)
            {
                foreach (var symbol in semanticModel.LookupSymbols(position))
                {
                    yield return symbol;
                }

                yield break;
            }

            foreach (var name in names)
            {
                foreach (var symbol in semanticModel.LookupSymbols(position, name: name))
                {
                    yield return symbol;
                }
            }
        }

        private static VariableDeclaratorSyntax? DeclaratorOf(ISymbol source)
        {
            var references = source.DeclaringSyntaxReferences;
            return references.Length > 0 ? references[0].GetSyntax() as VariableDeclaratorSyntax : null;
        }

        private static bool IsLinked(ISymbol source) =>
            DeclaratorOf(source) is { Initializer.Value: var value } && value.ToString().Contains("CreateLinkedTokenSource");

        /// <summary>
        /// A source local that bounds the code around it: made with a timeout, linked, or given CancelAfter in
        /// its block. A look at the syntax of its declaration and block, so it costs no binding.
        /// </summary>
        public static bool IsDeadline(ISymbol source)
        {
            var declarator = DeclaratorOf(source);
            switch (declarator?.Initializer?.Value)
            {
                case BaseObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: > 0 }:
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CreateLinkedTokenSource" } }:
                    return true;
                case null:
                    return false;
            }

            // Top-level statements have no block: the file is the scope.
            var scope = (SyntaxNode?)declarator.FirstAncestorOrSelf<BlockSyntax>() ?? declarator.FirstAncestorOrSelf<CompilationUnitSyntax>();
            if (scope is null)
            {
                return false;
            }

            foreach (var node in scope.DescendantNodes())
            {
                if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver, Name.Identifier.ValueText: "CancelAfter" } }
                    && receiver.Identifier.ValueText == source.Name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>`cts.Cancel()`, `CancelAsync()` or `Dispose()` before the position: its token is no use from there on.</summary>
        private static bool IsSpentBefore(ISymbol source, int position)
        {
            var declarator = DeclaratorOf(source);
            var scope = (SyntaxNode?)declarator?.FirstAncestorOrSelf<BlockSyntax>() ?? declarator?.FirstAncestorOrSelf<CompilationUnitSyntax>();
            if (scope is null)
            {
                return false;
            }

            foreach (var node in scope.DescendantNodes(n => n.SpanStart < position))
            {
                if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver, Name.Identifier.ValueText: "Cancel" or "CancelAsync" or "Dispose" } } call
                    && call.Span.End <= position
                    && receiver.Identifier.ValueText == source.Name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A static lambda or local function cannot use the locals and parameters of the functions around it,
        /// and a static member cannot use a primary constructor's parameters.
        /// </summary>
        private static bool IsReachable(ISymbol symbol, ISymbol? enclosing)
        {
            for (var current = enclosing; current is not null; current = current.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(current, symbol.ContainingSymbol))
                {
                    return true;
                }

                if (current is IMethodSymbol { IsStatic: true } or IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true })
                {
                    return false;
                }

                if (current is INamedTypeSymbol)
                {
                    // Reached the type without meeting the symbol's function: a primary constructor parameter.
                    return symbol is IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } };
                }
            }

            return false;
        }

        /// <summary>
        /// Code that cannot use `this`: a static member, a static lambda or local function on the way out, or
        /// a field or property initializer.
        /// </summary>
        private static bool IsStaticContext(ISymbol? symbol)
        {
            for (var current = symbol; current is not null; current = current.ContainingSymbol)
            {
                switch (current)
                {
                    case IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function:
                        // A lambda or local function in a struct cannot use `this` either (CS1673).
                        if (function.IsStatic || function.ContainingType is { IsValueType: true })
                        {
                            return true;
                        }

                        continue;
                    case IMethodSymbol method:
                        return method.IsStatic;
                    case IFieldSymbol or IPropertySymbol or IEventSymbol:
                        // An initializer: instance members are not available there.
                        return true;
                    case INamedTypeSymbol:
                        return true;
                }
            }

            return true;
        }

        /// <summary>An instance member of the type the code is in, or of a base type: one `this` can reach (not an outer type's).</summary>
        private static bool IsMemberOfEnclosingType(ISymbol member, ISymbol? enclosing)
        {
            var type = enclosing as INamedTypeSymbol;
            for (var current = enclosing; current is not null && type is null; current = current.ContainingSymbol)
            {
                type = current as INamedTypeSymbol;
            }

            for (var current = type; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, member.ContainingType.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        private static int DeclarationPosition(ISymbol symbol)
        {
            var references = symbol.DeclaringSyntaxReferences;
            return references.Length > 0 ? references[0].Span.Start : -1;
        }
    }
}
