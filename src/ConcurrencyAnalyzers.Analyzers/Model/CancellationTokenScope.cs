using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// Finds the cancellation token code at a position should pass on: the innermost token parameter or
    /// local first (a lambda's own token before the method's) or a linked CancellationTokenSource local
    /// declared after it, whose Token is used; then a token field or property of the type, then the Token of a
    /// CancellationTokenSource local.
    /// </summary>
    internal static class CancellationTokenScope
    {
        /// <returns>An expression that names the token (`cancellationToken`, `cts.Token`), or null.</returns>
        public static string? FindInnermost(SemanticModel semanticModel, int position, KnownTypes types) =>
            Find(semanticModel, position, types, out var source) is { } symbol ? (source ? symbol.Name + ".Token" : symbol.Name) : null;

        /// <summary>The token symbol, or the CancellationTokenSource local (<paramref name="isSource"/>) whose Token to use.</summary>
        /// <param name="acceptSource">Which CancellationTokenSource locals may be used; all when null.</param>
        public static ISymbol? Find(SemanticModel semanticModel, int position, KnownTypes types, out bool isSource, System.Func<ISymbol, bool>? acceptSource = null)
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

            foreach (var symbol in semanticModel.LookupSymbols(position))
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
                        if (declaredAt < position && declaredAt > sourcePosition && (acceptSource is null || acceptSource(symbol)))
                        {
                            source = symbol;
                            sourcePosition = declaredAt;
                        }

                        break;
                    case IFieldSymbol or IPropertySymbol when KnownTypes.Is(type, types.CancellationToken) && (symbol.IsStatic || !inStaticContext):
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

        private static bool IsLinked(ISymbol source)
        {
            var references = source.DeclaringSyntaxReferences;
            return references.Length > 0
                && references[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: var value }
                && value.ToString().Contains("CreateLinkedTokenSource");
        }

        /// <summary>A static lambda or local function cannot use the locals and parameters of the functions around it.</summary>
        private static bool IsReachable(ISymbol symbol, ISymbol? enclosing)
        {
            for (var current = enclosing; current is not null; current = current.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(current, symbol.ContainingSymbol))
                {
                    return true;
                }

                if (current is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction, IsStatic: true })
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsStaticContext(ISymbol? symbol)
        {
            for (var current = symbol; current is not null; current = current.ContainingSymbol)
            {
                if (current is IMethodSymbol { MethodKind: not (MethodKind.AnonymousFunction or MethodKind.LocalFunction) } method)
                {
                    return method.IsStatic;
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
