using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// A loop whose condition never becomes false (`while (true)`, `for (;;)`, `do … while (true)`) and
    /// whether anything in it can end it: a token check, a token passed to a call (which throws when the
    /// token is cancelled), a break, return, goto or throw that leaves it, or a read of a channel or
    /// BlockingCollection that throws once the producer completes it.
    /// </summary>
    internal static class EndlessLoop
    {
        public static bool IsEndless(ILoopOperation loop) => loop switch
        {
            IWhileLoopOperation { Condition: { } condition } => IsTrue(condition),
            IForLoopOperation { Condition: null } => true,
            IForLoopOperation { Condition: { } condition } => IsTrue(condition),
            _ => false,
        };

        private static bool IsTrue(IOperation condition) =>
            condition.WalkDownConversions().ConstantValue is { HasValue: true, Value: true };

        /// <summary>Whether something in the loop's body can end the loop (see the type's summary).</summary>
        public static bool HasExit(ILoopOperation loop, KnownTypes types)
        {
            foreach (var operation in loop.Body.DescendantsInSameFunction())
            {
                switch (operation)
                {
                    case IBranchOperation { BranchKind: BranchKind.Break } branch when IsExitOf(branch, loop):
                    case IBranchOperation { BranchKind: BranchKind.GoTo }:
                    case IReturnOperation:
                    case IThrowOperation:
                        return true;
                    case IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" }:
                        return true;
                    case IInvocationOperation invocation when IsExitCall(invocation, types):
                        return true;
                }
            }

            return false;
        }

        private static bool IsExitOf(IBranchOperation branch, ILoopOperation loop) =>
            SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel);

        private static bool IsExitCall(IInvocationOperation invocation, KnownTypes types)
        {
            var method = invocation.TargetMethod;
            if (method.Name == "ThrowIfCancellationRequested")
            {
                return true;
            }

            // Reads that throw once the producer completes: ChannelClosedException, InvalidOperationException.
            if (method.Name == "ReadAsync" && types.IsChannelReader(method.ContainingType))
            {
                return true;
            }

            if (method.Name == "Take" && types.IsBlockingCollection(method.ContainingType))
            {
                return true;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue
                    && KnownTypes.Is(argument.Value.WalkDownConversions().Type, types.CancellationToken)
                    && TokenAcceptance.IsCancellable(argument.Value))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>ExecuteAsync overriding BackgroundService's: the host starts it and does not await it.</summary>
        public static bool IsHostedExecute(IMethodSymbol? method)
        {
            if (method is not { Name: "ExecuteAsync", IsOverride: true })
            {
                return false;
            }

            for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
            {
                if (overridden.ContainingType.Name == "BackgroundService")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The kinds of start whose work runs in the background for as long as it likes.</summary>
        public static bool StartsBackgroundWork(ConcurrencyKind kind) => kind is ConcurrencyKind.TaskRun
            or ConcurrencyKind.TaskFactoryStartNew
            or ConcurrencyKind.Thread
            or ConcurrencyKind.ThreadPool
            or ConcurrencyKind.ThreadingTimer
            or ConcurrencyKind.TimersTimer
            or ConcurrencyKind.AsyncCall;
    }
}
