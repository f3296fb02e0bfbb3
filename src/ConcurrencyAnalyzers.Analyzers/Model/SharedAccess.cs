using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum AccessKind
    {
        Read,

        /// <summary>`x = value` with a value that does not read x.</summary>
        Write,

        /// <summary>`x++`, `x += k`, `x = x + k`, `_list = _list.Add(item)`: a lost update when two run at once.</summary>
        ReadModifyWrite,

        /// <summary>A mutating call or indexer store on a collection that is not thread-safe (`List.Add`, `dict[k] = v`).</summary>
        CollectionMutation,
    }

    /// <summary>
    /// One access to a variable that code outside the accessing function can see (a field, an auto-property,
    /// a captured local), with the locks held at it. Accesses through Interlocked and Volatile, to
    /// [ThreadStatic] fields, ThreadLocal/AsyncLocal values, and to locals or per-item objects of the
    /// function itself are not shared and never become one.
    /// </summary>
    internal sealed class SharedAccess
    {
        private readonly IOperation _lockBoundary;
        private readonly KnownTypes _types;
        private ImmutableArray<LockIdentity> _locks;

        private SharedAccess(IOperation operation, IOperation reference, ISymbol location, AccessKind kind, IOperation lockBoundary, KnownTypes types)
        {
            Operation = operation;
            Reference = reference;
            Location = location;
            Kind = kind;
            _lockBoundary = lockBoundary;
            _types = types;
        }

        /// <summary>The whole access: the increment, the assignment, the Add call.</summary>
        public IOperation Operation { get; }

        /// <summary>The reference to the variable inside <see cref="Operation"/>.</summary>
        public IOperation Reference { get; }

        /// <summary>The variable: for a collection, the variable that holds it.</summary>
        public ISymbol Location { get; }

        public AccessKind Kind { get; }

        /// <summary>
        /// The locks held at the access, worked out the first time they are asked for: most accesses never
        /// meet a conflicting one, and then their locks do not matter.
        /// </summary>
        public ImmutableArray<LockIdentity> Locks
        {
            get
            {
                if (_locks.IsDefault)
                {
                    _locks = HeldLocks.At(Operation, _lockBoundary, _types);
                }

                return _locks;
            }
        }

        public bool IsWrite => Kind != AccessKind.Read;

        /// <summary>
        /// The variable the access goes through to reach <see cref="Location"/>: `job` in `job.Attempts++`,
        /// `_cache` in `_cache._entries.Clear()`; null for this, static state and the variable itself.
        /// Two accesses through different roots reach different objects.
        /// </summary>
        public ISymbol? Root => RootOf(Reference);

        public static ISymbol? RootOf(IOperation reference)
        {
            ISymbol? root = null;
            var current = reference.WalkDownConversions();
            while (current is IMemberReferenceOperation { Instance: { } instance })
            {
                current = instance.WalkDownConversions();
                if (current is IInstanceReferenceOperation)
                {
                    return root;
                }

                root = current switch
                {
                    ILocalReferenceOperation local => local.Local,
                    IParameterReferenceOperation parameter => parameter.Parameter,
                    IMemberReferenceOperation member => member.Member,
                    _ => root,
                };
            }

            return root;
        }

        public bool HoldsExclusiveLock => Locks.Any(l => l.IsExclusive);

        /// <summary>Both accesses hold the same lock, which excludes the other (not two read locks).</summary>
        public bool SharesLockWith(SharedAccess other) =>
            Locks.Any(mine => other.Locks.Any(theirs => mine.Equals(theirs) && (mine.IsExclusive || theirs.IsExclusive)));

        /// <summary>How a message says what the access does ("incremented", "added to").</summary>
        public string Verb => Operation switch
        {
            IIncrementOrDecrementOperation { Kind: OperationKind.Increment } => "incremented",
            IIncrementOrDecrementOperation => "decremented",
            ICompoundAssignmentOperation => "updated in place",
            IInvocationOperation invocation => "changed by " + invocation.TargetMethod.Name,
            ISimpleAssignmentOperation when Kind == AccessKind.CollectionMutation => "changed by an indexer store",
            ISimpleAssignmentOperation when Kind == AccessKind.ReadModifyWrite => "read and written back",
            _ => Kind == AccessKind.Read ? "read" : "written",
        };

        /// <summary>
        /// The shared accesses under <paramref name="root"/>. <paramref name="owner"/> is the lambda whose
        /// locals are private (null for a method body, whose locals all are); locks count from
        /// <paramref name="lockBoundary"/> inward, since a lock taken outside a delegate does not protect it
        /// when it runs later or elsewhere.
        /// </summary>
        public static ImmutableArray<SharedAccess> In(IOperation root, IAnonymousFunctionOperation? owner, IOperation lockBoundary, KnownTypes types, bool includeReads, bool ownLocalsShared = false)
        {
            var result = ImmutableArray.CreateBuilder<SharedAccess>();
            var walk = ownLocalsShared ? root.DescendantsInSameFunction() : root.DescendantsInSourceOrder();
            foreach (var operation in walk)
            {
                if (Classify(operation, owner, lockBoundary, types, includeReads, ownLocalsShared) is { } access)
                {
                    result.Add(access);
                }
            }

            return result.ToImmutable();
        }

        private static SharedAccess? Classify(IOperation operation, IAnonymousFunctionOperation? owner, IOperation lockBoundary, KnownTypes types, bool includeReads, bool ownLocalsShared)
        {
            IOperation? reference;
            AccessKind kind;
            switch (operation)
            {
                case IIncrementOrDecrementOperation increment:
                    reference = increment.Target;
                    kind = AccessKind.ReadModifyWrite;
                    break;
                case ICompoundAssignmentOperation compound:
                    reference = compound.Target;
                    kind = AccessKind.ReadModifyWrite;
                    break;
                // `list[i] = v` replaces an element without resizing, like an array slot; `dict[k] = v` may grow it.
                case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Arguments.Length: > 0, Instance: { } collection } } store
                    when IsUnsafeCollection(collection.Type, types) && !IsList(collection.Type):
                    reference = collection;
                    kind = AccessKind.CollectionMutation;
                    operation = store;
                    break;
                case ISimpleAssignmentOperation assignment:
                    reference = assignment.Target;
                    kind = ReadsTarget(assignment) ? AccessKind.ReadModifyWrite : AccessKind.Write;
                    break;
                case IInvocationOperation { Instance: { } receiver } invocation
                    when WrittenLocationsNames.IsMutating(invocation.TargetMethod.Name) && IsUnsafeCollection(receiver.Type, types):
                    reference = receiver;
                    kind = AccessKind.CollectionMutation;
                    break;
                case IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation when includeReads && !operation.IsWriteTarget() && !IsPartOfWrite(operation):
                    reference = operation;
                    kind = AccessKind.Read;
                    break;
                default:
                    return null;
            }

            var location = SharedLocation(reference, owner, types, ownLocalsShared);
            if (location is null || IsBarrierArgument(reference, types))
            {
                return null;
            }

            return new SharedAccess(operation, reference, location, kind, lockBoundary, types);
        }

        /// <summary>The variable a reference names if it is shared, else null.</summary>
        private static ISymbol? SharedLocation(IOperation reference, IAnonymousFunctionOperation? owner, KnownTypes types, bool ownLocalsShared)
        {
            switch (reference.WalkDownConversions())
            {
                case ILocalReferenceOperation local when ownLocalsShared:
                    return local.Local;
                case IParameterReferenceOperation parameter when ownLocalsShared:
                    return parameter.Parameter;
                case ILocalReferenceOperation local:
                    // A local of the accessing function is its own, unless captured from outside the lambda.
                    return owner is not null && !IsDeclaredInside(local.Local, owner.Syntax) ? local.Local : null;
                case IParameterReferenceOperation parameter:
                    return owner is not null && !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, owner.Symbol)
                        && !IsDeclaredInside(parameter.Parameter, owner.Syntax) ? parameter.Parameter : null;
                case IFieldReferenceOperation field:
                    if (field.Field.IsConst || IsThreadStatic(field.Field, types) || IsPerThreadContainer(field.Field.Type, types))
                    {
                        return null;
                    }

                    return IsSharedInstance(field.Instance, field.Field, owner, ownLocalsShared) ? field.Field : null;
                case IPropertyReferenceOperation { Arguments.IsEmpty: true } property:
                    if (IsPerThreadContainer(property.Property.ContainingType, types) || !IsAutoProperty(property.Property))
                    {
                        return null;
                    }

                    return IsSharedInstance(property.Instance, property.Property, owner, ownLocalsShared) ? property.Property : null;
                default:
                    return null;
            }
        }

        /// <summary>
        /// A member of this or a static one, or of an object held in a field or captured variable — not of an
        /// object the function made or was handed per item (`item.Count++` in a parallel loop body).
        /// </summary>
        private static bool IsSharedInstance(IOperation? instance, ISymbol member, IAnonymousFunctionOperation? owner, bool ownLocalsShared)
        {
            if (member.IsStatic || instance is null)
            {
                return true;
            }

            switch (instance.WalkDownConversions())
            {
                case IInstanceReferenceOperation:
                    return true;
                case IFieldReferenceOperation field:
                    return IsSharedInstance(field.Instance, field.Field, owner, ownLocalsShared);
                case ILocalReferenceOperation local:
                    return ownLocalsShared || (owner is not null && !IsDeclaredInside(local.Local, owner.Syntax));
                default:
                    return false;
            }
        }

        private static bool IsDeclaredInside(ISymbol symbol, SyntaxNode container)
        {
            foreach (var declaration in symbol.DeclaringSyntaxReferences)
            {
                if (container.Span.Contains(declaration.Span))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsThreadStatic(IFieldSymbol field, KnownTypes types) =>
            field.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, types.ThreadStaticAttribute));

        private static bool IsPerThreadContainer(ITypeSymbol? type, KnownTypes types) =>
            type is INamedTypeSymbol named
            && (KnownTypes.Is(named.OriginalDefinition, types.ThreadLocalOfT) || KnownTypes.Is(named.OriginalDefinition, types.AsyncLocalOfT));

        private static bool IsAutoProperty(IPropertySymbol property)
        {
            if (property.DeclaringSyntaxReferences.Length == 0)
            {
                return false;
            }

            return property.DeclaringSyntaxReferences[0].GetSyntax() is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors }
                && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);
        }

        /// <summary>Interlocked.Increment(ref x), Volatile.Write(ref x, v): atomic, not a racy write.</summary>
        private static bool IsBarrierArgument(IOperation reference, KnownTypes types)
        {
            var parent = reference.WalkUpConversions(out _);
            return parent is IArgumentOperation { Parent: IInvocationOperation call }
                && (KnownTypes.Is(call.TargetMethod.ContainingType, types.Interlocked) || KnownTypes.Is(call.TargetMethod.ContainingType, types.Volatile));
        }

        /// <summary>
        /// `x = x + 1`, `_list = _list.Add(item)`, `_stats.Total = _stats.Total + n`: the new value is computed
        /// from the old one of the same variable (the same member reached through the same expression).
        /// </summary>
        public static bool ReadsTarget(ISimpleAssignmentOperation assignment)
        {
            var target = assignment.Target.WalkDownConversions();
            foreach (var operation in assignment.Value.DescendantsInSourceOrder().Prepend(assignment.Value))
            {
                if (SameVariable(operation.WalkDownConversions(), target))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The same variable: the same local or parameter, or the same member through the same expression.</summary>
        public static bool SameVariable(IOperation read, IOperation target)
        {
            switch (read, target)
            {
                case (ILocalReferenceOperation a, ILocalReferenceOperation b):
                    return SymbolEqualityComparer.Default.Equals(a.Local, b.Local);
                case (IParameterReferenceOperation a, IParameterReferenceOperation b):
                    return SymbolEqualityComparer.Default.Equals(a.Parameter, b.Parameter);
                case (IMemberReferenceOperation a, IMemberReferenceOperation b) when SymbolEqualityComparer.Default.Equals(a.Member, b.Member):
                    if (a.Instance is null || b.Instance is null)
                    {
                        return a.Instance is null && b.Instance is null;
                    }

                    var left = a.Instance.WalkDownConversions();
                    var right = b.Instance.WalkDownConversions();
                    return left is IInstanceReferenceOperation && right is IInstanceReferenceOperation || SameVariable(left, right);
                default:
                    return false;
            }
        }

        /// <summary>The read inside `x++` or `x += 1` is part of that write, not an access of its own.</summary>
        private static bool IsPartOfWrite(IOperation reference)
        {
            var parent = reference.WalkUpConversions(out _);
            return parent is IIncrementOrDecrementOperation or ICompoundAssignmentOperation
                || (parent is IInvocationOperation invocation && ReferenceEquals(invocation.Instance?.WalkDownConversions(), reference) && WrittenLocationsNames.IsMutating(invocation.TargetMethod.Name))
                || (parent is IPropertyReferenceOperation { Arguments.Length: > 0 } indexer && indexer.IsWriteTarget());
        }

        private static bool IsList(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "List", Arity: 1 } named && named.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic";

        /// <summary>
        /// Collections that corrupt or throw when changed from two threads, or read while changed: the
        /// System.Collections and System.Collections.Generic ones and StringBuilder. Concurrent and
        /// immutable collections are safe.
        /// </summary>
        public static bool IsUnsafeCollection(ITypeSymbol? type, KnownTypes types)
        {
            // An interface (IDictionary<K, V>) may well hold a ConcurrentDictionary: only concrete types tell.
            if (type is null || type is IArrayTypeSymbol || type.TypeKind == TypeKind.Interface)
            {
                return false;
            }

            if (KnownTypes.Is(type, types.StringBuilder))
            {
                return true;
            }

            var ns = type.ContainingNamespace?.ToDisplayString();
            return ns is "System.Collections.Generic" or "System.Collections" && types.IsMutableCollection(type);
        }
    }

    /// <summary>The method names that change a collection they are called on.</summary>
    internal static class WrittenLocationsNames
    {
        private static readonly ImmutableHashSet<string> Mutating = ImmutableHashSet.Create(
            "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "Clear",
            "Enqueue", "Dequeue", "Push", "Pop", "TryAdd", "TryRemove", "TryUpdate", "TryDequeue", "TryPop", "TryTake",
            "AddOrUpdate", "GetOrAdd", "Append", "AppendLine", "AppendFormat", "Set", "SetValue", "Sort", "Reverse",
            "AddFirst", "AddLast", "RemoveFirst", "RemoveLast", "UnionWith", "ExceptWith", "IntersectWith", "TrimExcess", "EnsureCapacity");

        public static bool IsMutating(string name) => Mutating.Contains(name);
    }
}
