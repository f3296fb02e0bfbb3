using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The variables a piece of work changes and that code outside it can see: captured locals, fields
    /// and properties of this or static ones, and collections mutated through their methods or indexers.
    /// Calls into methods of the same document are followed a few levels deep, so a worker that calls
    /// a helper which fills a list still counts as filling it.
    /// </summary>
    internal static class WrittenLocations
    {
        private const int MaxCallDepth = 3;

        public static ImmutableHashSet<ISymbol> Of(ConcurrentEntryPoint entry, SemanticModel? semanticModel, CancellationToken cancellationToken)
        {
            var summary = new Summary(semanticModel, cancellationToken);
            var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var work in entry.Work)
            {
                switch (work)
                {
                    case IAnonymousFunctionOperation lambda:
                        summary.Collect(lambda.Body, lambda, written, depth: 0);
                        break;
                    case IMethodReferenceOperation reference:
                        summary.AddStartedCall(reference.Method, reference.Instance, written);
                        break;
                }
            }

            if (entry.Kind == ConcurrencyKind.AsyncCall && entry.WorkMethod is not null)
            {
                summary.AddStartedCall(entry.WorkMethod, (entry.Operation as IInvocationOperation)?.Instance, written);
            }

            return written.ToImmutableHashSet<ISymbol>(SymbolEqualityComparer.Default);
        }

        /// <summary>What the methods of one document write, each summarized once per question.</summary>
        private sealed class Summary
        {
            private readonly SemanticModel? _semanticModel;
            private readonly CancellationToken _cancellationToken;
            private readonly Dictionary<IMethodSymbol, HashSet<ISymbol>> _methods = new Dictionary<IMethodSymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);

            public Summary(SemanticModel? semanticModel, CancellationToken cancellationToken)
            {
                _semanticModel = semanticModel;
                _cancellationToken = cancellationToken;
            }

            /// <summary>
            /// The method the work itself is (`new Thread(Run)`, `_ = server.RunAsync()`). Its receiver is a
            /// variable of the function that started it, so it is visible there whatever its kind.
            /// </summary>
            public void AddStartedCall(IMethodSymbol method, IOperation? receiver, HashSet<ISymbol> written)
            {
                if (receiver is null || method.IsStatic || receiver.WalkDownConversions() is IInstanceReferenceOperation)
                {
                    written.UnionWith(MethodWrites(method, depth: 0));
                }
                else if (ChangesOwnObject(method, depth: 0) && receiver.ReferencedSymbol() is { } receiverSymbol)
                {
                    written.Add(receiverSymbol);
                }
            }

            private bool ChangesOwnObject(IMethodSymbol method, int depth)
            {
                foreach (var symbol in MethodWrites(method, depth))
                {
                    if (!symbol.IsStatic && symbol is IFieldSymbol or IPropertySymbol && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, method.ContainingType))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// A call made by the work. On this or a static method, the callee's writes are the work's
            /// writes. On another object (`counter.Increment()`, `server.RunAsync()`), a callee that
            /// changes its own object's fields changes that object, which the caller can see through the
            /// receiver: the receiver counts as written.
            /// </summary>
            public void AddCall(IMethodSymbol method, IOperation? receiver, IAnonymousFunctionOperation? lambda, HashSet<ISymbol> written, int depth)
            {
                var calleeWrites = MethodWrites(method, depth);
                if (receiver is null || method.IsStatic || receiver.WalkDownConversions() is IInstanceReferenceOperation)
                {
                    written.UnionWith(calleeWrites);
                    return;
                }

                foreach (var symbol in calleeWrites)
                {
                    if (symbol.IsStatic)
                    {
                        written.Add(symbol);
                    }
                }

                if (ChangesOwnObject(method, depth))
                {
                    AddIfVisibleOutside(receiver, lambda, written);
                }
            }

            private HashSet<ISymbol> MethodWrites(IMethodSymbol method, int depth)
            {
                method = method.OriginalDefinition;
                if (_methods.TryGetValue(method, out var known))
                {
                    return known;
                }

                // Recursion (a method that calls itself) sees the empty set while it is being summarized.
                var writes = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                _methods[method] = writes;
                if (_semanticModel is null || depth > MaxCallDepth)
                {
                    return writes;
                }

                foreach (var reference in method.DeclaringSyntaxReferences)
                {
                    // Only the document at hand: per-keystroke work stays local to it.
                    if (reference.SyntaxTree != _semanticModel.SyntaxTree)
                    {
                        continue;
                    }

                    var body = _semanticModel.GetOperation(reference.GetSyntax(_cancellationToken), _cancellationToken);
                    if (body is not null)
                    {
                        Collect(body, null, writes, depth + 1);
                    }
                }

                return writes;
            }

            public void Collect(IOperation root, IAnonymousFunctionOperation? lambda, HashSet<ISymbol> written, int depth)
            {
                foreach (var operation in root.DescendantsInSourceOrder())
                {
                    switch (operation)
                    {
                        case IPropertyReferenceOperation { Arguments.Length: > 0, Instance: { } instance } indexer when indexer.IsWriteTarget():
                            // dictionary[key] = value writes the dictionary.
                            AddIfVisibleOutside(instance, lambda, written);
                            break;
                        case ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation when operation.IsWriteTarget():
                            AddIfVisibleOutside(operation, lambda, written);
                            break;
                        case IArrayElementReferenceOperation element when element.IsWriteTarget():
                            AddIfVisibleOutside(element.ArrayReference, lambda, written);
                            break;
                        case IInvocationOperation invocation:
                            if (invocation.Instance is { } receiver && WrittenLocationsNames.IsMutating(invocation.TargetMethod.Name))
                            {
                                AddIfVisibleOutside(receiver, lambda, written);
                            }

                            if (invocation.TargetMethod.DeclaringSyntaxReferences.Length > 0)
                            {
                                AddCall(invocation.TargetMethod, invocation.Instance, lambda, written, depth);
                            }

                            break;
                    }
                }
            }
        }

        private static void AddIfVisibleOutside(IOperation reference, IAnonymousFunctionOperation? lambda, HashSet<ISymbol> written)
        {
            var symbol = reference.ReferencedSymbol();
            switch (symbol)
            {
                case ILocalSymbol local:
                    // A local declared inside the work is private to it.
                    if (lambda is not null && IsDeclaredInside(local, lambda))
                    {
                        return;
                    }

                    if (lambda is null)
                    {
                        return;
                    }

                    written.Add(local);
                    return;
                case IFieldSymbol or IPropertySymbol:
                    written.Add(symbol);
                    return;
                case IParameterSymbol parameter when lambda is not null && !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, lambda.Symbol):
                    written.Add(parameter);
                    return;
            }
        }

        private static bool IsDeclaredInside(ILocalSymbol local, IAnonymousFunctionOperation lambda)
        {
            foreach (var declaration in local.DeclaringSyntaxReferences)
            {
                if (lambda.Syntax.Span.Contains(declaration.Span))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
