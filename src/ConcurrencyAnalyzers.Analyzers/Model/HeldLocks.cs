using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum LockKind
    {
        /// <summary>`lock`, Monitor.Enter/TryEnter, System.Threading.Lock.</summary>
        Monitor,

        /// <summary>SemaphoreSlim.Wait/WaitAsync used as a mutex.</summary>
        Semaphore,

        /// <summary>ReaderWriterLockSlim.EnterWriteLock.</summary>
        WriteLock,

        /// <summary>ReaderWriterLockSlim.EnterReadLock or an upgradeable read lock.</summary>
        ReadLock,

        /// <summary>Mutex.WaitOne.</summary>
        Mutex,
    }

    /// <summary>
    /// The identity of a lock: the variable that holds the lock object (a field, property, local or
    /// parameter), `this`, or a `typeof(...)`. All instances of a field are one identity.
    /// </summary>
    internal sealed class LockIdentity : IEquatable<LockIdentity>
    {
        public LockIdentity(ISymbol? symbol, string display, LockKind kind, IOperation? lockedValue = null)
        {
            Symbol = symbol;
            Display = display;
            Kind = kind;
            LockedValue = lockedValue;
        }

        /// <summary>The lock object's variable; null for `this` and `typeof`, which <see cref="Display"/> names.</summary>
        public ISymbol? Symbol { get; }

        public string Display { get; }

        public LockKind Kind { get; }

        /// <summary>
        /// The expression that names the lock object where it was taken (`from._sync`, `this`), for the rules
        /// that care which instance is locked. Not part of the identity.
        /// </summary>
        public IOperation? LockedValue { get; }

        /// <summary>Excludes writers: every kind but a read lock.</summary>
        public bool IsExclusive => Kind != LockKind.ReadLock;

        public bool Equals(LockIdentity? other) =>
            other is not null
            && (Symbol is null ? other.Symbol is null && Display == other.Display : SymbolEqualityComparer.Default.Equals(Symbol, other.Symbol));

        public override bool Equals(object? obj) => Equals(obj as LockIdentity);

        public override int GetHashCode() => Symbol is null ? Display.GetHashCode() : SymbolEqualityComparer.Default.GetHashCode(Symbol);

        public static LockIdentity? Of(IOperation lockObject, LockKind kind)
        {
            var value = lockObject.WalkDownConversions();
            switch (value)
            {
                case IInstanceReferenceOperation:
                    return new LockIdentity(null, "this", kind, value);
                case ITypeOfOperation typeOf:
                    return new LockIdentity(null, "typeof(" + typeOf.TypeOperand.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ")", kind, value);
                case IFieldReferenceOperation field:
                    return new LockIdentity(field.Field, field.Field.Name, kind, value);
                case IPropertyReferenceOperation { Arguments.IsEmpty: true } property:
                    return new LockIdentity(property.Property, property.Property.Name, kind, value);
                case ILocalReferenceOperation local:
                    return new LockIdentity(local.Local, local.Local.Name, kind, value);
                case IParameterReferenceOperation parameter:
                    return new LockIdentity(parameter.Parameter, parameter.Parameter.Name, kind, value);
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// Which locks are held at a program point, within its function: enclosing `lock` statements and
    /// `using (x.EnterScope())`, and acquire calls earlier in an enclosing block (or in the `try` whose
    /// body holds the point) that no release undoes before it — the Monitor.Enter / try / finally Exit
    /// shape, SemaphoreSlim.Wait(Async)/Release, ReaderWriterLockSlim.Enter*/Exit*, Mutex.WaitOne/
    /// ReleaseMutex and Lock.Enter/Exit.
    /// </summary>
    internal static class HeldLocks
    {
        public static ImmutableArray<LockIdentity> At(IOperation operation, IOperation functionBody, KnownTypes types)
        {
            var held = ImmutableArray.CreateBuilder<LockIdentity>();
            // Locks released in an inner block before the point (`finally { Monitor.Exit(x); … }`), which end
            // an acquisition found further out.
            var releasedInside = new HashSet<LockIdentity>();
            IOperation child = operation;
            for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
            {
                switch (current)
                {
                    case ILockOperation lockStatement when ReferenceEquals(lockStatement.Body, child):
                        if (LockIdentity.Of(lockStatement.LockedValue, LockKind.Monitor) is { } locked)
                        {
                            held.Add(locked);
                        }

                        break;
                    case IUsingOperation usingStatement when ReferenceEquals(usingStatement.Body, child):
                        AddScope(usingStatement.Resources, held);
                        break;
                    case IBlockOperation block:
                        AddAcquiredBefore(block, child, types, held, releasedInside);
                        break;

                    // if (Monitor.TryEnter(x, 100)) { … } and if (await gate.WaitAsync(timeout)) { … }, but not
                    // if (!Monitor.TryEnter(x, 100)) { … }, whose branch runs when the lock was not taken.
                    case IConditionalOperation conditional when ReferenceEquals(conditional.WhenTrue, child):
                        foreach (var call in conditional.Condition.DescendantsInSameFunction().Prepend(conditional.Condition).OfType<IInvocationOperation>())
                        {
                            if (!IsNegated(call, conditional.Condition) && TryGetAcquire(call, types, out var acquiredInCondition))
                            {
                                held.Add(acquiredInCondition);
                            }
                        }

                        break;
                }

                if (ReferenceEquals(current, functionBody))
                {
                    break;
                }
            }

            return held.ToImmutable();
        }

        /// <summary>`using (_lock.EnterScope())` and `using var scope = _lock.EnterScope();`.</summary>
        private static void AddScope(IOperation resources, ImmutableArray<LockIdentity>.Builder held)
        {
            foreach (var operation in resources.DescendantsInSameFunction())
            {
                if (operation is IInvocationOperation { TargetMethod.Name: "EnterScope", Instance: { } instance }
                    && LockIdentity.Of(instance, LockKind.Monitor) is { } locked)
                {
                    held.Add(locked);
                }
            }
        }

        /// <summary>The call's result is negated on its way to the condition: `!x.TryEnter()`, `x.Wait(0) == false`.</summary>
        private static bool IsNegated(IOperation call, IOperation condition)
        {
            for (var current = call; current is not null && !ReferenceEquals(current, condition.Parent); current = current.Parent)
            {
                if (current is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not }
                    || current is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals, RightOperand.ConstantValue: { HasValue: true, Value: false } }
                    || current is IIsPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: false } } or INegatedPatternOperation })
                {
                    return true;
                }
            }

            return false;
        }

        private static void AddAcquiredBefore(IBlockOperation block, IOperation child, KnownTypes types, ImmutableArray<LockIdentity>.Builder held, HashSet<LockIdentity> releasedInside)
        {
            var acquired = new List<LockIdentity>();
            var releasedHere = new List<LockIdentity>();
            foreach (var statement in block.Operations)
            {
                if (ReferenceEquals(statement, child))
                {
                    break;
                }

                if (statement is IUsingDeclarationOperation usingDeclaration)
                {
                    var scoped = ImmutableArray.CreateBuilder<LockIdentity>();
                    AddScope(usingDeclaration.DeclarationGroup, scoped);
                    acquired.AddRange(scoped);
                    continue;
                }

                // A compound statement (try/finally, lock, loop, using) keeps what it acquires to itself, but a
                // release inside it — the `finally { Monitor.Exit(x); }` — ends a lock taken before it.
                var compound = statement is ILockOperation or ILoopOperation or ITryOperation or IUsingOperation or IConditionalOperation { WhenFalse: not null };
                foreach (var inner in statement.DescendantsInSameFunction().OfType<IInvocationOperation>())
                {
                    if (!compound && TryGetAcquire(inner, types, out var lockIdentity))
                    {
                        acquired.Add(lockIdentity);
                    }
                    else if (TryGetRelease(inner, types, out var released))
                    {
                        if (acquired.RemoveAll(l => l.Equals(released)) == 0)
                        {
                            releasedHere.Add(released);
                        }
                    }
                }
            }

            foreach (var lockIdentity in acquired)
            {
                if (!releasedInside.Remove(lockIdentity))
                {
                    held.Add(lockIdentity);
                }
            }

            releasedInside.UnionWith(releasedHere);
        }

        /// <param name="countThrottles">
        /// Also count a SemaphoreSlim that lets several in: it keeps nobody apart, but it must be released as
        /// surely as a lock.
        /// </param>
        public static bool TryGetAcquire(IInvocationOperation invocation, KnownTypes types, out LockIdentity lockIdentity, bool countThrottles = false)
        {
            lockIdentity = null!;
            var method = invocation.TargetMethod;
            var owner = method.ContainingType;
            LockKind? kind = method.Name switch
            {
                "Enter" or "TryEnter" when KnownTypes.Is(owner, types.Monitor) => LockKind.Monitor,
                "Enter" or "TryEnter" when KnownTypes.Is(owner, types.Lock) => LockKind.Monitor,
                "Wait" or "WaitAsync" when KnownTypes.Is(owner, types.SemaphoreSlim) => LockKind.Semaphore,
                "EnterWriteLock" or "TryEnterWriteLock" when KnownTypes.Is(owner, types.ReaderWriterLockSlim) => LockKind.WriteLock,
                "EnterReadLock" or "TryEnterReadLock" or "EnterUpgradeableReadLock" or "TryEnterUpgradeableReadLock" when KnownTypes.Is(owner, types.ReaderWriterLockSlim) => LockKind.ReadLock,
                // WaitOne is declared on WaitHandle: what makes it a mutex is the object it is called on.
                "WaitOne" when KnownTypes.Is(invocation.Instance?.Type, types.Mutex) => LockKind.Mutex,
                _ => null,
            };

            if (kind == LockKind.Semaphore && !countThrottles && IsThrottle(invocation.Instance))
            {
                return false;
            }

            return TryIdentify(invocation, kind, types, out lockIdentity);
        }

        /// <summary>
        /// A SemaphoreSlim created with room for more than one (`new SemaphoreSlim(8)`) limits how many run at
        /// once; it does not keep them apart, so it is no lock.
        /// </summary>
        private static bool IsThrottle(IOperation? semaphore)
        {
            var symbol = semaphore?.WalkDownConversions() switch
            {
                IFieldReferenceOperation field => (ISymbol)field.Field,
                ILocalReferenceOperation local => local.Local,
                _ => null,
            };

            if (symbol is null || symbol.DeclaringSyntaxReferences.Length != 1
                || symbol.DeclaringSyntaxReferences[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: var value })
            {
                return false;
            }

            var arguments = value switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.ObjectCreationExpressionSyntax creation => creation.ArgumentList?.Arguments,
                Microsoft.CodeAnalysis.CSharp.Syntax.ImplicitObjectCreationExpressionSyntax implicitCreation => implicitCreation.ArgumentList.Arguments,
                _ => null,
            };

            return arguments is { Count: > 0 } list
                && list[0].Expression is Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax { Token.Value: int initialCount }
                && initialCount > 1;
        }

        public static bool TryGetRelease(IInvocationOperation invocation, KnownTypes types, out LockIdentity lockIdentity)
        {
            lockIdentity = null!;
            var method = invocation.TargetMethod;
            var owner = method.ContainingType;
            LockKind? kind = method.Name switch
            {
                "Exit" when KnownTypes.Is(owner, types.Monitor) || KnownTypes.Is(owner, types.Lock) => LockKind.Monitor,
                "Release" when KnownTypes.Is(owner, types.SemaphoreSlim) => LockKind.Semaphore,
                "ExitWriteLock" when KnownTypes.Is(owner, types.ReaderWriterLockSlim) => LockKind.WriteLock,
                "ExitReadLock" or "ExitUpgradeableReadLock" when KnownTypes.Is(owner, types.ReaderWriterLockSlim) => LockKind.ReadLock,
                "ReleaseMutex" when KnownTypes.Is(owner, types.Mutex) => LockKind.Mutex,
                _ => null,
            };

            return TryIdentify(invocation, kind, types, out lockIdentity);
        }

        /// <summary>The lock an acquire or release call works on: Monitor's first argument, else the object it is called on.</summary>
        private static bool TryIdentify(IInvocationOperation invocation, LockKind? kind, KnownTypes types, out LockIdentity lockIdentity)
        {
            lockIdentity = null!;
            if (kind is null)
            {
                return false;
            }

            var lockObject = KnownTypes.Is(invocation.TargetMethod.ContainingType, types.Monitor)
                ? (invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null)
                : invocation.Instance;
            var identity = lockObject is null ? null : LockIdentity.Of(lockObject, kind.Value);
            if (identity is null)
            {
                return false;
            }

            lockIdentity = identity;
            return true;
        }
    }
}
