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

        private static readonly ImmutableHashSet<string> MutatingMethodNames = ImmutableHashSet.Create(
            "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "Clear",
            "Enqueue", "Dequeue", "Push", "Pop", "TryAdd", "TryRemove", "TryUpdate", "TryDequeue", "TryPop", "TryTake",
            "AddOrUpdate", "GetOrAdd", "Append", "AppendLine", "AppendFormat", "Set", "SetValue", "Sort", "Reverse", "CopyTo");

        public static ImmutableHashSet<ISymbol> Of(ConcurrentEntryPoint entry, SemanticModel? semanticModel, CancellationToken cancellationToken)
        {
            var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (var work in entry.Work)
            {
                switch (work)
                {
                    case IAnonymousFunctionOperation lambda:
                        Collect(lambda.Body, lambda, semanticModel, written, visited, depth: 0, cancellationToken);
                        break;
                    case IMethodReferenceOperation reference:
                        CollectMethod(reference.Method, semanticModel, written, visited, depth: 0, cancellationToken);
                        break;
                }
            }

            if (entry.Kind == ConcurrencyKind.AsyncCall && entry.WorkMethod is not null)
            {
                CollectMethod(entry.WorkMethod, semanticModel, written, visited, depth: 0, cancellationToken);
            }

            return written.ToImmutableHashSet<ISymbol>(SymbolEqualityComparer.Default);
        }

        private static void CollectMethod(IMethodSymbol method, SemanticModel? semanticModel, HashSet<ISymbol> written, HashSet<IMethodSymbol> visited, int depth, CancellationToken cancellationToken)
        {
            if (semanticModel is null || depth > MaxCallDepth || !visited.Add(method.OriginalDefinition))
            {
                return;
            }

            foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
            {
                // Only the document at hand: per-keystroke work stays local to it.
                if (reference.SyntaxTree != semanticModel.SyntaxTree)
                {
                    continue;
                }

                var body = semanticModel.GetOperation(reference.GetSyntax(cancellationToken), cancellationToken);
                if (body is not null)
                {
                    Collect(body, null, semanticModel, written, visited, depth, cancellationToken);
                }
            }
        }

        private static void Collect(IOperation root, IAnonymousFunctionOperation? lambda, SemanticModel? semanticModel, HashSet<ISymbol> written, HashSet<IMethodSymbol> visited, int depth, CancellationToken cancellationToken)
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
                        if (invocation.Instance is { } receiver && MutatingMethodNames.Contains(invocation.TargetMethod.Name))
                        {
                            AddIfVisibleOutside(receiver, lambda, written);
                        }

                        if (invocation.TargetMethod.DeclaringSyntaxReferences.Length > 0 && IsOnThisOrStatic(invocation))
                        {
                            CollectMethod(invocation.TargetMethod, semanticModel, written, visited, depth + 1, cancellationToken);
                        }

                        break;
                }
            }
        }

        private static bool IsOnThisOrStatic(IInvocationOperation invocation) =>
            invocation.TargetMethod.IsStatic || invocation.Instance is null || invocation.Instance.WalkDownConversions() is IInstanceReferenceOperation;

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
