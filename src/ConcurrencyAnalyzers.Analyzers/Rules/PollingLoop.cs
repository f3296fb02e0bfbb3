using System.Collections.Generic;
using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    internal enum PolledStateKind
    {
        /// <summary>A bool field or captured local (`while (!_done)`).</summary>
        Flag,

        /// <summary>task.IsCompleted and friends.</summary>
        Task,

        /// <summary>thread.IsAlive.</summary>
        Thread,

        /// <summary>A counter, a collection's Count or IsEmpty, or anything else shared.</summary>
        Other,
    }

    /// <summary>
    /// A loop whose only work is to sleep and re-check state that other code changes:
    /// `while (!_done) Thread.Sleep(10);`, `do await Task.Delay(50); while (_pending > 0);`,
    /// `while (true) { if (_ready) break; Thread.Sleep(5); }`, and `SpinWait.SpinUntil(() => _done)`.
    /// A loop that does work between sleeps (a periodic worker), or polls something outside the
    /// program (a file, a URL, the clock), is not one.
    /// </summary>
    internal sealed class PollingLoop
    {
        private PollingLoop(IOperation operation, IOperation condition, bool waitsUntilConditionTrue, IOperation polledState, PolledStateKind stateKind, bool onlySleeps, IOperation? sleep)
        {
            Operation = operation;
            Condition = condition;
            WaitsUntilConditionTrue = waitsUntilConditionTrue;
            PolledState = polledState;
            StateKind = stateKind;
            OnlySleeps = onlySleeps;
            Sleep = sleep;
        }

        /// <summary>The loop, or the SpinWait.SpinUntil call.</summary>
        public IOperation Operation { get; }

        /// <summary>The condition checked on every round.</summary>
        public IOperation Condition { get; }

        /// <summary>
        /// True when the wait ends once <see cref="Condition"/> becomes true (`if (c) break;`, SpinUntil);
        /// false when the loop runs while it is true (`while (c)`).
        /// </summary>
        public bool WaitsUntilConditionTrue { get; }

        /// <summary>The shared state the condition reads (the field, the task's IsCompleted, …).</summary>
        public IOperation PolledState { get; }

        public PolledStateKind StateKind { get; }

        /// <summary>The body holds nothing but the sleep(s) and the exit check: a rewrite cannot drop any work.</summary>
        public bool OnlySleeps { get; }

        /// <summary>The first sleep in the body (null for SpinUntil).</summary>
        public IOperation? Sleep { get; }

        public string StateDisplay => PolledState.Syntax.ToString();

        public static bool TryGet(ILoopOperation loop, EnclosingFunction function, KnownTypes types, out PollingLoop polling)
        {
            polling = null!;
            IOperation? condition;
            bool untilTrue;
            IOperation? breakCheck = null;
            switch (loop)
            {
                case IWhileLoopOperation whileLoop:
                    condition = whileLoop.Condition;
                    untilTrue = whileLoop.ConditionIsUntil;
                    break;
                case IForLoopOperation forLoop when AllDeclarationsOrBookkeeping(forLoop.Before, function) && AllDeclarationsOrBookkeeping(forLoop.AtLoopBottom, function):
                    condition = forLoop.Condition;
                    untilTrue = false;
                    break;
                default:
                    return false;
            }

            var statements = Statements(loop.Body);
            IOperation? firstSleep = null;
            var onlySleeps = true;
            foreach (var statement in statements)
            {
                if (IsSleepStatement(statement, types))
                {
                    firstSleep ??= statement;
                    continue;
                }

                if (IsConstantTrueOrMissing(condition) && breakCheck is null && IsBreakIf(statement, out var exitCondition))
                {
                    breakCheck = exitCondition;
                    continue;
                }

                if (statement is IEmptyOperation)
                {
                    continue;
                }

                if (IsBookkeeping(statement, function) || IsTimeoutCheck(statement))
                {
                    onlySleeps = false;
                    continue;
                }

                // Any other statement is real work between the sleeps: a periodic worker, not a poller.
                return false;
            }

            if (firstSleep is null)
            {
                return false;
            }

            if (breakCheck is not null)
            {
                condition = breakCheck;
                untilTrue = true;
            }
            else if (IsConstantTrueOrMissing(condition))
            {
                return false;
            }

            if (condition is null || !TryFindPolledState(condition, function, types, out var state, out var kind))
            {
                return false;
            }

            polling = new PollingLoop(loop, condition, untilTrue, state, kind, onlySleeps && loop is IWhileLoopOperation, firstSleep);
            return true;
        }

        /// <summary>SpinWait.SpinUntil(() => _done) spins and sleeps until a condition holds.</summary>
        public static bool TryGetSpinUntil(IInvocationOperation invocation, EnclosingFunction function, KnownTypes types, out PollingLoop polling)
        {
            polling = null!;
            if (invocation.TargetMethod.Name != "SpinUntil"
                || !KnownTypes.Is(invocation.TargetMethod.ContainingType, types.SpinWait)
                || invocation.Arguments.Length == 0
                || invocation.Arguments[0].Value.WalkDownConversions() is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
            {
                return false;
            }

            var returned = ReturnedValue(lambda.Body);
            if (returned is null || !TryFindPolledState(returned, function, types, out var state, out var kind))
            {
                return false;
            }

            polling = new PollingLoop(invocation, returned, waitsUntilConditionTrue: true, state, kind, onlySleeps: true, sleep: null);
            return true;
        }

        private static IOperation? ReturnedValue(IBlockOperation body) =>
            body.Operations.Length == 1 && body.Operations[0] is IReturnOperation { ReturnedValue: { } value } ? value : null;

        private static ImmutableArray<IOperation> Statements(IOperation body) =>
            body is IBlockOperation block ? block.Operations : ImmutableArray.Create(body);

        private static bool IsConstantTrueOrMissing(IOperation? condition) =>
            condition is null || (condition.ConstantValue.HasValue && condition.ConstantValue.Value is true);

        private static bool IsSleepStatement(IOperation statement, KnownTypes types)
        {
            if (statement is not IExpressionStatementOperation expression)
            {
                return false;
            }

            foreach (var inner in expression.Operation.DescendantsInSameFunction())
            {
                if (inner is IInvocationOperation invocation
                    && SleepCall.TryGet(invocation, types, out var sleep)
                    && ReferenceEquals(sleep.Expression, expression.Operation.WalkDownConversions()))
                {
                    return true;
                }
            }

            return expression.Operation is IInvocationOperation direct && SleepCall.TryGet(direct, types, out _);
        }

        private static bool IsBreakIf(IOperation statement, out IOperation? condition)
        {
            condition = null;
            if (statement is IConditionalOperation { WhenFalse: null } conditional
                && Statements(conditional.WhenTrue) is { Length: 1 } single
                && single[0] is IBranchOperation { BranchKind: BranchKind.Break } or IReturnOperation { ReturnedValue: null })
            {
                condition = conditional.Condition;
                return true;
            }

            return false;
        }

        /// <summary>`if (stopwatch.Elapsed > limit) throw …;` — a give-up check that keeps the loop a poller.</summary>
        private static bool IsTimeoutCheck(IOperation statement) =>
            statement is IConditionalOperation { WhenFalse: null } conditional
            && Statements(conditional.WhenTrue) is { Length: 1 } single
            && single[0] is IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation } or IBranchOperation { BranchKind: BranchKind.Break } or IReturnOperation;

        /// <summary>Counting on locals of this function (`waited += 10;`, `attempts++;`).</summary>
        private static bool IsBookkeeping(IOperation statement, EnclosingFunction function)
        {
            if (statement is not IExpressionStatementOperation expression)
            {
                return false;
            }

            IOperation? target = expression.Operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                _ => null,
            };

            return target?.WalkDownConversions() is ILocalReferenceOperation local && !IsCapturedAndWritten(local.Local, function);
        }

        private static bool AllDeclarationsOrBookkeeping(ImmutableArray<IOperation> statements, EnclosingFunction function)
        {
            foreach (var statement in statements)
            {
                if (statement is not IVariableDeclarationGroupOperation && !IsBookkeeping(statement, function))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Finds the shared state in a condition. Any call in the condition other than Volatile.Read or
        /// Interlocked reads means the loop polls something we cannot see (a file, a service): not ours.
        /// </summary>
        private static bool TryFindPolledState(IOperation condition, EnclosingFunction function, KnownTypes types, out IOperation state, out PolledStateKind kind)
        {
            state = null!;
            kind = PolledStateKind.Other;
            foreach (var operation in condition.DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation invocation && !IsBarrierRead(invocation, types))
                {
                    return false;
                }
            }

            // The root of the condition counts too (`while (_running)`).
            foreach (var operation in Prepend(condition, condition.DescendantsInSourceOrder()))
            {
                switch (operation)
                {
                    case IPropertyReferenceOperation property when property.Arguments.IsEmpty && IsSharedProperty(property, function, types):
                        state = property;
                        kind = KindOf(property, types);
                        return true;
                    case IFieldReferenceOperation field when !field.Field.IsConst && IsPolledField(field):
                        state = OutermostBarrierRead(field) ?? field;
                        kind = field.Field.Type.SpecialType == SpecialType.System_Boolean ? PolledStateKind.Flag : PolledStateKind.Other;
                        return true;
                    case ILocalReferenceOperation local when IsCapturedAndWritten(local.Local, function):
                        state = local;
                        kind = local.Local.Type.SpecialType == SpecialType.System_Boolean ? PolledStateKind.Flag : PolledStateKind.Other;
                        return true;
                }
            }

            return false;
        }

        private static IEnumerable<IOperation> Prepend(IOperation first, IEnumerable<IOperation> rest)
        {
            yield return first;
            foreach (var item in rest)
            {
                yield return item;
            }
        }

        private static bool IsBarrierRead(IInvocationOperation invocation, KnownTypes types) =>
            (invocation.TargetMethod.Name == "Read" && KnownTypes.Is(invocation.TargetMethod.ContainingType, types.Volatile))
            || (invocation.TargetMethod.Name is "Read" or "CompareExchange" && KnownTypes.Is(invocation.TargetMethod.ContainingType, types.Interlocked));

        private static IOperation? OutermostBarrierRead(IFieldReferenceOperation field)
        {
            // Volatile.Read(ref _done): the state shown and rewritten is the whole call.
            return field.Parent is IArgumentOperation { Parent: IInvocationOperation invocation } ? invocation : null;
        }

        /// <summary>A field read counts unless it is a readonly value that cannot change.</summary>
        private static bool IsPolledField(IFieldReferenceOperation field)
        {
            if (field.Field.IsReadOnly && field.Field.Type.IsValueType)
            {
                return false;
            }

            // A readonly reference field is polled only through a member, which IsSharedProperty handles.
            if (field.Field.IsReadOnly)
            {
                return false;
            }

            return field.Instance is null || field.Instance.WalkDownConversions() is IInstanceReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation;
        }

        private static bool IsSharedProperty(IPropertyReferenceOperation property, EnclosingFunction function, KnownTypes types)
        {
            // Waiting for cancellation is what a token is for; a loop that only sleeps until then is a keep-alive.
            if (property.Property.Name == "IsCancellationRequested" || types.IsCancellationToken(property.Property.Type))
            {
                return false;
            }

            if (property.Instance is null)
            {
                // Static properties: only the program's own (DateTime.UtcNow is the clock, not shared state).
                return property.Property.DeclaringSyntaxReferences.Length > 0;
            }

            switch (property.Instance.WalkDownConversions())
            {
                case IInstanceReferenceOperation:
                    return property.Property.DeclaringSyntaxReferences.Length > 0;
                case IFieldReferenceOperation:
                    return true;
                case ILocalReferenceOperation local:
                    // A captured collection or object can be changed through its members by the lambda.
                    return IsWorkHandle(local.Local.Type, types) || IsCaptured(local.Local, function);
                case IParameterReferenceOperation parameter:
                    return IsWorkHandle(parameter.Parameter.Type, types);
                default:
                    return false;
            }
        }

        private static bool IsWorkHandle(ITypeSymbol type, KnownTypes types) => types.IsTaskLike(type) || types.IsThread(type);

        private static PolledStateKind KindOf(IPropertyReferenceOperation property, KnownTypes types)
        {
            var owner = property.Instance?.Type;
            if (types.IsTaskLike(owner) && property.Property.Name is "IsCompleted")
            {
                return PolledStateKind.Task;
            }

            if (types.IsThread(owner) && property.Property.Name is "IsAlive")
            {
                return PolledStateKind.Thread;
            }

            return property.Property.Type.SpecialType == SpecialType.System_Boolean && property.Instance?.WalkDownConversions() is null or IInstanceReferenceOperation
                ? PolledStateKind.Flag
                : PolledStateKind.Other;
        }

        /// <summary>A local of this function that a lambda in it writes: state another thread can change.</summary>
        internal static bool IsCapturedAndWritten(ILocalSymbol local, EnclosingFunction function)
        {
            foreach (var operation in function.Body.DescendantsInSourceOrder())
            {
                if (operation is ILocalReferenceOperation reference
                    && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                    && reference.IsWriteTarget()
                    && IsInNestedFunction(reference, function.Body))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsCaptured(ILocalSymbol local, EnclosingFunction function)
        {
            foreach (var operation in function.Body.DescendantsInSourceOrder())
            {
                if (operation is ILocalReferenceOperation reference
                    && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                    && IsInNestedFunction(reference, function.Body))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInNestedFunction(IOperation operation, IOperation functionBody)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, functionBody); current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The message's advice for this kind of state.</summary>
        public string Advice => StateKind switch
        {
            PolledStateKind.Task => "await the task or call Wait() instead",
            PolledStateKind.Thread => "call Join() on the thread instead",
            PolledStateKind.Flag => "wait on a ManualResetEventSlim or TaskCompletionSource that the writer sets instead",
            _ => "wait on a signal the writer sets (SemaphoreSlim, CountdownEvent, a Channel) instead",
        };
    }
}
