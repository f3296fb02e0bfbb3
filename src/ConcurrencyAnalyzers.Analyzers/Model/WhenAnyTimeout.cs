using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// `Task.WhenAny(work, Task.Delay(timeout))` used as a timeout, with what is known of the work: the
    /// call that started it (inline or the initializer of a local), and the CancellationTokenSources
    /// whose cancellation reaches it.
    /// </summary>
    internal sealed class WhenAnyTimeout
    {
        private WhenAnyTimeout(IInvocationOperation whenAny, IOperation delay, IOperation work, IInvocationOperation? workCall, ILocalSymbol? workLocal)
        {
            WhenAny = whenAny;
            Delay = delay;
            Work = work;
            WorkCall = workCall;
            WorkLocal = workLocal;
        }

        public IInvocationOperation WhenAny { get; }

        /// <summary>The Task.Delay call (inline, or the initializer of the local passed to WhenAny).</summary>
        public IOperation Delay { get; }

        /// <summary>The work argument of WhenAny as written.</summary>
        public IOperation Work { get; }

        /// <summary>The call that starts the work, when it is known.</summary>
        public IInvocationOperation? WorkCall { get; }

        /// <summary>The local that holds the work's task, if it is passed through one.</summary>
        public ILocalSymbol? WorkLocal { get; }

        public string WorkDescription => Work.WalkDownConversions() switch
        {
            _ when WorkLocal is not null => "'" + WorkLocal.Name + "'",
            IParameterReferenceOperation parameter => "'" + parameter.Parameter.Name + "'",
            _ when WorkCall is not null => "'" + WorkCall.TargetMethod.Name + "'",
            _ => "the work",
        };

        public static bool TryGet(IInvocationOperation whenAny, KnownTypes types, out WhenAnyTimeout shape)
        {
            shape = null!;
            if (whenAny.TargetMethod.Name != "WhenAny" || !KnownTypes.Is(whenAny.TargetMethod.ContainingType, types.Task))
            {
                return false;
            }

            var tasks = new List<IOperation>();
            foreach (var argument in whenAny.Arguments)
            {
                if (argument.Value.WalkDownConversions() is IArrayCreationOperation { Initializer: { } initializer })
                {
                    tasks.AddRange(initializer.ElementValues);
                }
                else if (types.IsTask(argument.Value.WalkDownConversions().Type))
                {
                    tasks.Add(argument.Value);
                }
                else
                {
                    return false;
                }
            }

            if (tasks.Count != 2)
            {
                return false;
            }

            var root = whenAny.Root();
            IOperation? delay = null;
            IOperation? work = null;
            foreach (var task in tasks)
            {
                var origin = OriginOf(task.WalkDownConversions(), root, whenAny, out _);
                if (origin is IInvocationOperation { TargetMethod.Name: "Delay" } call && KnownTypes.Is(call.TargetMethod.ContainingType, types.Task))
                {
                    delay ??= call;
                }
                else
                {
                    work = task;
                }
            }

            if (delay is null || work is null)
            {
                return false;
            }

            var workCall = OriginOf(work.WalkDownConversions(), root, whenAny, out var workLocal) as IInvocationOperation;
            shape = new WhenAnyTimeout(whenAny, delay, work, workCall, workLocal);
            return true;
        }

        /// <summary>
        /// Whether the work may run on after the timeout with nothing to stop it. Quiet when the work is
        /// not known (a parameter, a field: its owner decides), when it gets a token of a source that
        /// cancels on a timer or that is cancelled after WhenAny, and when the work is awaited after
        /// WhenAny whatever the outcome.
        /// </summary>
        public bool LeavesWorkRunning(KnownTypes types)
        {
            if (WorkCall is null)
            {
                // A task handed in (`TimeoutAfter(this Task task, …)`) cannot be stopped here: every timeout
                // through this helper leaves the work behind. A field or property: its owner may stop it.
                return Work.WalkDownConversions() is IParameterReferenceOperation && !IsJoinedAfterward(types);
            }

            var root = WhenAny.Root();
            var sources = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var argument in WorkCall.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                {
                    continue;
                }

                var value = argument.Value.WalkDownConversions();
                if (value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                {
                    foreach (var inner in lambda.Body.DescendantsInSourceOrder())
                    {
                        AddSource(inner, sources, types);
                    }
                }
                else
                {
                    AddSource(value, sources, types);
                }
            }

            // Linked sources are cancelled by the sources they link, timed ones by their timers.
            foreach (var source in new List<ISymbol>(sources))
            {
                var creation = CreationOf(source, root, types);
                if (SourceDisposal.IsTimed(creation) || SourceDisposal.HasCancelAfter(source, root))
                {
                    return false;
                }

                if (creation is IInvocationOperation linked)
                {
                    foreach (var inner in linked.DescendantsInSourceOrder())
                    {
                        AddSource(inner, sources, types);
                    }
                }
            }

            var end = WhenAny.Syntax.Span.End;
            foreach (var operation in root.DescendantsInSourceOrder())
            {
                if (operation.Syntax.SpanStart < end)
                {
                    continue;
                }

                if (operation is IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" } cancel
                    && cancel.Instance.ReferencedSymbol() is { } cancelled
                    && sources.Contains(cancelled))
                {
                    return false;
                }
            }

            return !IsKeptElsewhere() && !IsPolledInLoop() && !IsJoinedAfterward(types);
        }

        /// <summary>
        /// WhenAny in a loop around work started before it (`while (await Task.WhenAny(work, Task.Delay(1000)) != work)
        /// ReportProgress();`): the delay is a tick, not a timeout, and the loop goes back to the same work.
        /// </summary>
        private bool IsPolledInLoop()
        {
            if (WorkLocal is null || WorkCall is null)
            {
                return false;
            }

            for (var current = WhenAny.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return false;
                }

                if (current is ILoopOperation loop && !WorkCall.IsWithin(loop))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The work's task is stored in a field or property, or handed to a call other than this WhenAny: its owner may wait for it later.</summary>
        private bool IsKeptElsewhere()
        {
            if (WorkLocal is null)
            {
                return false;
            }

            foreach (var operation in WhenAny.Root().DescendantsInSourceOrder())
            {
                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, WorkLocal))
                {
                    continue;
                }

                var parent = reference.WalkUpConversions(out var child);
                switch (parent)
                {
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child) && assignment.Target is not ILocalReferenceOperation:
                        return true;
                    case IArgumentOperation argument when !ReferenceEquals(argument.Parent, WhenAny):
                        return true;
                    case IArrayElementReferenceOperation or IArrayInitializerOperation when !reference.IsWithin(WhenAny):
                        return true;
                }
            }

            return false;
        }

        /// <summary>`x.Token` of a CancellationTokenSource variable, as an argument or inside one.</summary>
        private static void AddSource(IOperation operation, HashSet<ISymbol> sources, KnownTypes types)
        {
            if (operation is IPropertyReferenceOperation { Property.Name: "Token" } token
                && KnownTypes.Is(token.Property.ContainingType, types.CancellationTokenSource)
                && token.Instance.ReferencedSymbol() is { } source)
            {
                sources.Add(source);
            }
        }

        private static IOperation? CreationOf(ISymbol source, IOperation root, KnownTypes types)
        {
            foreach (var operation in root.DescendantsInSourceOrder())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, source):
                        return declarator.GetVariableInitializer()?.Value.WalkDownConversions();
                    case ISimpleAssignmentOperation assignment when SymbolEqualityComparer.Default.Equals(assignment.Target.ReferencedSymbol(), source)
                        && SourceDisposal.IsCreation(assignment.Value.WalkDownConversions(), types):
                        return assignment.Value.WalkDownConversions();
                }
            }

            return null;
        }

        /// <summary>
        /// A later statement of the same block awaits or blocks on the work, or returns it or stores it
        /// elsewhere, outside any condition: the work is not left behind.
        /// </summary>
        private bool IsJoinedAfterward(KnownTypes types)
        {
            var target = (ISymbol?)WorkLocal ?? (Work.WalkDownConversions() as IParameterReferenceOperation)?.Parameter;
            if (target is null)
            {
                return false;
            }

            var statement = WhenAny.EnclosingStatement();
            if (statement?.Parent is not IBlockOperation block)
            {
                return false;
            }

            // The statement with WhenAny and those before the join must not leave early (the timeout branch's
            // `return null;` or `throw new TimeoutException()` is exactly the way the work is left behind).
            if (CanLeave(statement, target))
            {
                return false;
            }

            var after = false;
            foreach (var next in block.Operations)
            {
                if (ReferenceEquals(next, statement))
                {
                    after = true;
                    continue;
                }

                if (!after)
                {
                    continue;
                }

                foreach (var operation in next.DescendantsInSameFunction())
                {
                    if (operation is ILocalReferenceOperation or IParameterReferenceOperation
                        && SymbolEqualityComparer.Default.Equals(operation.ReferencedSymbol(), target)
                        && Keeps(operation, types)
                        && IsUnconditional(operation, next))
                    {
                        return true;
                    }
                }

                if (CanLeave(next, target))
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>A way out of the statement that leaves the work behind: a return that does not return or await it, a throw, a jump.</summary>
        private static bool CanLeave(IOperation statement, ISymbol target)
        {
            foreach (var operation in statement.DescendantsInSameFunction())
            {
                switch (operation)
                {
                    case IReturnOperation { ReturnedValue: { } value } when Mentions(value, target):
                        continue;
                    case IReturnOperation or IThrowOperation or IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue or BranchKind.GoTo }:
                        return true;
                }
            }

            return false;
        }

        /// <summary>`return work;`, `return await work;`, `return await work.ConfigureAwait(false);`, `return work.Result;`.</summary>
        private static bool Mentions(IOperation value, ISymbol target)
        {
            var inner = value.WalkDownConversions();
            if (inner is IAwaitOperation awaited)
            {
                inner = awaited.Operation.WalkDownConversions();
            }

            if (inner is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
            {
                inner = configured.WalkDownConversions();
            }

            if (inner is IPropertyReferenceOperation { Property.Name: "Result", Instance: { } resultOf })
            {
                inner = resultOf.WalkDownConversions();
            }

            return SymbolEqualityComparer.Default.Equals(inner.ReferencedSymbol(), target);
        }

        private static bool Keeps(IOperation reference, KnownTypes types)
        {
            var parent = reference.WalkUpConversions(out var child);
            switch (parent)
            {
                case IAwaitOperation or IReturnOperation:
                    return true;
                case IInvocationOperation { TargetMethod.Name: "Wait" or "GetAwaiter" or "ConfigureAwait" or "WaitAsync" } call when ReferenceEquals(call.Instance, child):
                    return true;
                case IPropertyReferenceOperation { Property.Name: "Result" }:
                    return true;
                case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child) && assignment.Target is not ILocalReferenceOperation:
                    return true;
                case IArgumentOperation:
                    // Task.WhenAll(work, …), a tracker, a logger of failures: handed on.
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsUnconditional(IOperation operation, IOperation statement)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, statement.Parent); current = current.Parent)
            {
                if (current is IConditionalOperation or ISwitchOperation or ILoopOperation or ICatchClauseOperation or IAnonymousFunctionOperation or ISwitchExpressionOperation or ICoalesceOperation)
                {
                    return false;
                }

                if (current is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr })
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>What a task argument is: the operation itself, or the initializer of the local it names (set before WhenAny).</summary>
        private static IOperation? OriginOf(IOperation task, IOperation root, IOperation whenAny, out ILocalSymbol? local)
        {
            local = null;
            if (task is not ILocalReferenceOperation reference)
            {
                return task;
            }

            local = reference.Local;
            IOperation? origin = null;
            foreach (var operation in root.DescendantsInSourceOrder())
            {
                if (operation.Syntax.SpanStart >= whenAny.Syntax.SpanStart)
                {
                    break;
                }

                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        origin = declarator.GetVariableInitializer()?.Value.WalkDownConversions();
                        break;
                    case ISimpleAssignmentOperation assignment when SymbolEqualityComparer.Default.Equals(assignment.Target.ReferencedSymbol(), local):
                        origin = assignment.Value.WalkDownConversions();
                        break;
                }
            }

            return origin;
        }
    }
}
