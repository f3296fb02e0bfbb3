using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// One place where a function takes a lock: a `lock` statement, `using (x.EnterScope())`, or an acquire
    /// call (Monitor.Enter/TryEnter, Lock.Enter, SemaphoreSlim.Wait/WaitAsync, ReaderWriterLockSlim.Enter*,
    /// Mutex.WaitOne), with the locks the function already holds there.
    /// </summary>
    internal sealed class LockAcquisition
    {
        private LockAcquisition(LockIdentity lockIdentity, IOperation operation, SyntaxNode site, bool waitsIndefinitely)
        {
            Lock = lockIdentity;
            Operation = operation;
            Site = site;
            WaitsIndefinitely = waitsIndefinitely;
        }

        public LockIdentity Lock { get; }

        /// <summary>The `lock` statement or the acquire call.</summary>
        public IOperation Operation { get; }

        /// <summary>Where a diagnostic about this acquisition goes: the locked expression of a `lock`, else the call.</summary>
        public SyntaxNode Site { get; }

        /// <summary>
        /// False for TryEnter and for waits given a timeout: they give up instead of blocking for ever, so they
        /// cannot be the step of a deadlock.
        /// </summary>
        public bool WaitsIndefinitely { get; }

        /// <summary>The acquisitions in one function, nested functions excluded, in source order.</summary>
        public static IEnumerable<LockAcquisition> In(IOperation functionBody, KnownTypes types, bool countThrottles = false)
        {
            foreach (var operation in functionBody.DescendantsInSameFunction())
            {
                if (Of(operation, types, countThrottles) is { } acquisition)
                {
                    yield return acquisition;
                }
            }
        }

        public static LockAcquisition? Of(IOperation operation, KnownTypes types, bool countThrottles = false)
        {
            switch (operation)
            {
                case ILockOperation lockStatement when LockIdentity.Of(lockStatement.LockedValue, LockKind.Monitor) is { } locked:
                    return new LockAcquisition(locked, lockStatement, lockStatement.LockedValue.Syntax, waitsIndefinitely: true);
                case IInvocationOperation { TargetMethod.Name: "EnterScope", Instance: { } scoped } enterScope
                    when KnownTypes.Is(enterScope.TargetMethod.ContainingType, types.Lock) && LockIdentity.Of(scoped, LockKind.Monitor) is { } scope:
                    return new LockAcquisition(scope, enterScope, enterScope.Syntax, waitsIndefinitely: true);
                case IInvocationOperation invocation when HeldLocks.TryGetAcquire(invocation, types, out var acquired, countThrottles):
                    // WaitAsync blocks nobody unless its task is awaited (or waited on).
                    var waits = !GivesUp(invocation) && (invocation.TargetMethod.Name != "WaitAsync" || invocation.IsAwaitedOrBlockedOn());
                    return new LockAcquisition(acquired, invocation, invocation.Syntax, waits);
                default:
                    return null;
            }
        }

        /// <summary>TryEnter* and waits given a timeout, unless the timeout is infinite (-1, Timeout.Infinite, Timeout.InfiniteTimeSpan).</summary>
        private static bool GivesUp(IInvocationOperation invocation)
        {
            var timeout = invocation.Arguments.FirstOrDefault(a => a.Parameter is { } p && (p.Type.SpecialType == SpecialType.System_Int32 || p.Type.Name == "TimeSpan"));
            if (timeout is not null)
            {
                var value = timeout.Value.WalkDownConversions();
                return !(value.ConstantValue is { HasValue: true, Value: -1 }
                    || value is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" or "Infinite" });
            }

            // TryEnter(x) and TryEnter(x, ref taken) return at once when the lock is taken.
            return invocation.TargetMethod.Name.StartsWith("Try", System.StringComparison.Ordinal);
        }

        /// <summary>The locks held at the acquisition, in the function that takes it.</summary>
        public ImmutableArray<LockIdentity> HeldBefore(IOperation functionBody, KnownTypes types) => HeldLocks.At(Operation, functionBody, types);
    }
}
