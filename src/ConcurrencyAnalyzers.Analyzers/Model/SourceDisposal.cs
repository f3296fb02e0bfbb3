using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum SourceFate
    {
        /// <summary>Declared with using, disposed, or handed to an owner: nothing to report.</summary>
        Owned,

        /// <summary>Kept in a local of the function that is neither disposed nor handed on.</summary>
        LocalNeverDisposed,

        /// <summary>Used on the spot and dropped (`new CancellationTokenSource(5000).Token`).</summary>
        Dropped,
    }

    /// <summary>
    /// What becomes of a CancellationTokenSource a function creates (`new CancellationTokenSource(…)`,
    /// `CancellationTokenSource.CreateLinkedTokenSource(…)`): disposed, handed off (returned, stored
    /// anywhere but a local, passed as an argument, captured by a lambda), or neither.
    /// </summary>
    internal static class SourceDisposal
    {
        public static bool IsCreation(IOperation operation, KnownTypes types) => operation switch
        {
            IObjectCreationOperation creation => KnownTypes.Is(creation.Type, types.CancellationTokenSource),
            IInvocationOperation { TargetMethod.Name: "CreateLinkedTokenSource" } invocation => KnownTypes.Is(invocation.TargetMethod.ContainingType, types.CancellationTokenSource),
            _ => false,
        };

        /// <summary>Created with a timeout, linked to other tokens, or given a CancelAfter: it holds a timer or registrations.</summary>
        public static bool HoldsResources(IOperation creation, ILocalSymbol? local, IOperation root) =>
            creation is IInvocationOperation || IsTimed(creation) || (local is not null && HasCancelAfter(local, root));

        /// <summary>`new CancellationTokenSource(timeout)`: it cancels itself when its timer fires.</summary>
        public static bool IsTimed(IOperation? creation) => creation is IObjectCreationOperation { Arguments.Length: > 0 };

        /// <summary>`source.CancelAfter(…)` somewhere under <paramref name="root"/>.</summary>
        public static bool HasCancelAfter(ISymbol source, IOperation root)
        {
            foreach (var operation in root.DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation { TargetMethod.Name: "CancelAfter" } cancelAfter
                    && SymbolEqualityComparer.Default.Equals(cancelAfter.Instance.ReferencedSymbol(), source))
                {
                    return true;
                }
            }

            return false;
        }

        public static SourceFate FateOf(IOperation creation, out ILocalSymbol? local)
        {
            local = null;
            var parent = creation.WalkUpConversions(out var child);
            switch (parent)
            {
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    if (IsUsingDeclaration(declarator))
                    {
                        return SourceFate.Owned;
                    }

                    local = declarator.Symbol;
                    break;
                case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child):
                    if (assignment.Target.WalkDownConversions() is ILocalReferenceOperation target)
                    {
                        local = target.Local;
                        break;
                    }

                    // A field, property, array element, out parameter: someone else owns it.
                    return SourceFate.Owned;
                case IMemberReferenceOperation or IInvocationOperation when IsInstanceOf(parent, child):
                    // `new CancellationTokenSource(t).Token`: used once and dropped.
                    return SourceFate.Dropped;
                case IExpressionStatementOperation:
                    return SourceFate.Dropped;
                case IUsingOperation:
                    return SourceFate.Owned;
                default:
                    // Returned, passed as an argument, put in a collection or tuple, a field initializer.
                    return SourceFate.Owned;
            }

            if (local.IsUsing)
            {
                return SourceFate.Owned;
            }

            return IsOwnedLater(local, creation.Root()) ? SourceFate.Owned : SourceFate.LocalNeverDisposed;
        }

        private static bool IsInstanceOf(IOperation parent, IOperation child) => parent switch
        {
            IMemberReferenceOperation member => ReferenceEquals(member.Instance, child),
            IInvocationOperation invocation => ReferenceEquals(invocation.Instance, child),
            _ => false,
        };

        private static bool IsUsingDeclaration(IVariableDeclaratorOperation declarator)
        {
            for (IOperation? current = declarator.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IUsingDeclarationOperation or IUsingOperation:
                        return true;
                    case IVariableDeclarationOperation or IVariableDeclarationGroupOperation:
                        continue;
                    default:
                        return false;
                }
            }

            return false;
        }

        /// <summary>Some use of the local disposes the source or hands it on.</summary>
        private static bool IsOwnedLater(ILocalSymbol local, IOperation root)
        {
            var declaration = DeclarationOf(local, root);
            foreach (var operation in root.DescendantsInSourceOrder())
            {
                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                // Captured by a lambda or local function: it lives as long as they do, and they may dispose it.
                if (!ReferenceEquals(EnclosingFunction.Of(reference, null).FunctionOperation, EnclosingFunction.Of(declaration ?? reference, null).FunctionOperation))
                {
                    return true;
                }

                var parent = reference.WalkUpConversions(out var child);
                switch (parent)
                {
                    case IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" } dispose when ReferenceEquals(dispose.Instance, child):
                        return true;
                    case IConditionalAccessOperation { WhenNotNull: IInvocationOperation { TargetMethod.Name: "Dispose" } }:
                        return true;
                    case IUsingOperation:
                        return true;
                    case IArgumentOperation or IReturnOperation:
                        return true;
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child):
                        return true;
                    case IVariableInitializerOperation:
                        return true;
                    case IArrayInitializerOperation or ITupleOperation or IAnonymousObjectCreationOperation:
                        return true;
                    case IConditionalAccessOperation access when access.WhenNotNull is not IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAfter" or "CancelAsync" }:
                        // cts?.Token passed on, cts?.Dispose(): hard to tell apart cheaply; assume owned.
                        return true;
                }
            }

            return false;
        }

        private static IOperation? DeclarationOf(ILocalSymbol local, IOperation root)
        {
            foreach (var operation in root.DescendantsInSourceOrder())
            {
                if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                {
                    return declarator;
                }
            }

            return null;
        }
    }
}
