using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>The atomic call that replaces a check and the act that follows it.</summary>
    internal enum CheckThenActShape
    {
        /// <summary>No single call does both (a bound check before Enqueue, an update only if present).</summary>
        None,

        /// <summary>`if (!d.ContainsKey(k)) d[k] = v;` → `d.TryAdd(k, v);`</summary>
        TryAdd,

        /// <summary>`if (!d.TryGetValue(k, out var v)) { v = create; d[k] = v; }` → `var v = d.GetOrAdd(k, _ => create);`</summary>
        GetOrAdd,

        /// <summary>`if (d.TryGetValue(k, out var c)) d[k] = c + 1; else d[k] = 1;` → `d.AddOrUpdate(k, 1, (_, c) => c + 1);`</summary>
        AddOrUpdate,

        /// <summary>`if (d.ContainsKey(k)) d.TryRemove(k, out var v);` → `d.TryRemove(k, out var v);`</summary>
        TryRemove,

        /// <summary>`if (d.ContainsKey(k)) return d[k];` → `if (d.TryGetValue(k, out var value)) return value;`</summary>
        TryGetValue,

        /// <summary>`if (!q.IsEmpty) { q.TryDequeue(out var item); … }` → `if (q.TryDequeue(out var item)) { … }`</summary>
        TryTake,
    }

    /// <summary>A check on a concurrent collection and the act that relies on it.</summary>
    internal sealed class CheckThenActMatch
    {
        public CheckThenActMatch(IOperation statement, IOperation check, IOperation act, IOperation collection, string checkName, string actName, CheckThenActShape shape, string advice)
        {
            Statement = statement;
            Check = check;
            Act = act;
            Collection = collection;
            CheckName = checkName;
            ActName = actName;
            Shape = shape;
            Advice = advice;
        }

        /// <summary>The `if`, loop, conditional expression or assignment that holds both steps.</summary>
        public IOperation Statement { get; }

        /// <summary>The ContainsKey / TryGetValue call or the Count / IsEmpty read.</summary>
        public IOperation Check { get; }

        public IOperation Act { get; }

        /// <summary>The reference to the collection in the check.</summary>
        public IOperation Collection { get; }

        public string CheckName { get; }

        public string ActName { get; }

        public CheckThenActShape Shape { get; }

        public string Advice { get; }
    }

    /// <summary>
    /// CONC052: two calls on one concurrent collection where the second relies on what the first found —
    /// ContainsKey or TryGetValue and then the indexer, TryAdd or TryRemove on the same key; Count or
    /// IsEmpty and then TryDequeue/TryPop/TryTake with the result ignored, or Enqueue/Add under a bound —
    /// with no lock around both. The collection is a field, property or parameter (or a local that a
    /// lambda captures): choosing a concurrent collection says it is shared.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CheckThenActAnalyzer : ConcurrencyAnalyzer
    {
        internal const string ShapeProperty = "Shape";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(RuleDescriptors.CheckThenAct);

        private protected override bool IsApplicable(KnownTypes types) => types.ConcurrentDictionaryOfT is not null || types.ConcurrentQueueOfT is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationAction(
                operationContext =>
                {
                    if (Match(operationContext.Operation, types) is not { } match
                        || HeldLocks.At(match.Statement, match.Statement.Root(), types).Any(l => l.IsExclusive))
                    {
                        return;
                    }

                    var properties = ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, match.Shape.ToString());
                    operationContext.ReportDiagnostic(Diagnostic.Create(
                        RuleDescriptors.CheckThenAct,
                        match.Check.Syntax.GetLocation(),
                        ImmutableArray.Create(match.Act.Syntax.GetLocation()),
                        properties,
                        Name(match.Collection),
                        match.CheckName,
                        match.ActName,
                        match.Advice));
                },
                OperationKind.Conditional,
                OperationKind.Loop,
                OperationKind.SimpleAssignment,
                OperationKind.CompoundAssignment,
                OperationKind.Increment,
                OperationKind.Decrement);
        }

        /// <summary>Recognizes a check-then-act at <paramref name="operation"/>; shared with the fix.</summary>
        internal static CheckThenActMatch? Match(IOperation operation, KnownTypes types)
        {
            switch (operation)
            {
                case IConditionalOperation conditional:
                    return MatchConditional(conditional, types);
                case IWhileLoopOperation { Condition: { } condition, ConditionIsTop: true, ConditionIsUntil: false } loop:
                    return MatchCount(loop, condition, loop.Body, null, types);
                case ISimpleAssignmentOperation assignment when Indexer(assignment.Target, types) is { } store:
                    return MatchCounterExpression(assignment, store, types);
                case ICompoundAssignmentOperation compound when Indexer(compound.Target, types) is { } target && IsShared(target.Instance!, types) && !IsPartOfCheck(compound, types):
                    return new CheckThenActMatch(compound, target, compound, target.Instance!, "the indexer", "written back with the indexer", CheckThenActShape.AddOrUpdate, "AddOrUpdate");
                case IIncrementOrDecrementOperation step when Indexer(step.Target, types) is { } target && IsShared(target.Instance!, types) && !IsPartOfCheck(step, types):
                    return new CheckThenActMatch(step, target, step, target.Instance!, "the indexer", "written back with the indexer", CheckThenActShape.AddOrUpdate, "AddOrUpdate");
                default:
                    return null;
            }
        }

        /// <summary>An update that is already the act of an enclosing check (reported there, once).</summary>
        private static bool IsPartOfCheck(IOperation update, KnownTypes types)
        {
            for (var current = update.Parent; current is not null; current = current.Parent)
            {
                if (current is IConditionalOperation conditional
                    && MatchConditional(conditional, types) is { } match
                    && Indexer(update is ICompoundAssignmentOperation compound ? compound.Target : ((IIncrementOrDecrementOperation)update).Target, types) is { } indexer
                    && SharedAccess.SameVariable(indexer.Instance!.WalkDownConversions(), match.Collection.WalkDownConversions())
                    && match.Check is IInvocationOperation { Arguments.Length: > 0 } check
                    && SameKey(indexer.Arguments[0].Value, check.Arguments[0].Value))
                {
                    return true;
                }

                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return false;
                }
            }

            return false;
        }

        private static CheckThenActMatch? MatchConditional(IConditionalOperation conditional, KnownTypes types)
        {
            var condition = conditional.Condition.WalkDownConversions();
            var negated = false;
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                negated = !negated;
                condition = not.Operand.WalkDownConversions();
            }

            // `d.TryGetValue(k, out var v) && v.IsExpired`: the leftmost call is the check.
            var conjunction = false;
            if (!negated && condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and)
            {
                condition = and.LeftOperand.WalkDownConversions();
                conjunction = true;
            }

            if (condition is not IInvocationOperation { Instance: { } collection } check
                || !types.IsConcurrentDictionary(collection.Type)
                || check.TargetMethod.Name is not ("ContainsKey" or "TryGetValue")
                || check.Arguments.Length == 0
                || !InOrder(check)
                || !IsShared(collection, types))
            {
                return MatchCount(conditional, conditional.Condition, conditional.WhenTrue, conditional.WhenFalse, types);
            }

            var key = check.Arguments[0].Value;
            var present = negated ? conditional.WhenFalse : conditional.WhenTrue;
            var absent = negated ? conditional.WhenTrue : conditional.WhenFalse;

            // `if (d.TryGetValue(k, out var v)) return v; v = Create(k); d[k] = v;`: what follows the early exit
            // runs only when the key was missing.
            if (!negated && absent is null && !conjunction && EndsInJump(present) && conditional.Parent is IBlockOperation block)
            {
                var following = block.Operations.Skip(block.Operations.IndexOf(conditional) + 1).ToList();
                foreach (var statement in following)
                {
                    if (FindAct(statement, collection, key, types, "TryAdd", "Add", "indexer-set") is { } addedLater)
                    {
                        return new CheckThenActMatch(conditional, check, addedLater, collection, check.TargetMethod.Name, ActName(addedLater), CheckThenActShape.None,
                            check.TargetMethod.Name == "TryGetValue" ? "GetOrAdd" : "GetOrAdd or TryAdd");
                    }
                }
            }
            var isTryGet = check.TargetMethod.Name == "TryGetValue";
            var shapeFits = !conjunction;

            var added = absent is null ? null : FindAct(absent, collection, key, types, "TryAdd", "Add", "indexer-set");
            var updated = present is null ? null : FindAct(present, collection, key, types, "indexer-set");
            if (added is not null)
            {
                CheckThenActShape shape;
                string advice;
                if (updated is not null)
                {
                    shape = shapeFits && BothBranchesAreSingleStores(conditional) ? CheckThenActShape.AddOrUpdate : CheckThenActShape.None;
                    advice = "AddOrUpdate";
                }
                else if (isTryGet)
                {
                    shape = shapeFits && negated && conditional.WhenFalse is null && IsGetOrAddBody(absent!, check, collection, key, types) ? CheckThenActShape.GetOrAdd : CheckThenActShape.None;
                    advice = "GetOrAdd";
                }
                else
                {
                    shape = shapeFits && negated && conditional.WhenFalse is null && IsSingleAdd(absent!, added) ? CheckThenActShape.TryAdd : CheckThenActShape.None;
                    advice = shape == CheckThenActShape.TryAdd ? "TryAdd" : "GetOrAdd or TryAdd";
                }

                return new CheckThenActMatch(conditional, check, added, collection, check.TargetMethod.Name, ActName(added), shape, advice);
            }

            if (present is null)
            {
                return null;
            }

            if (FindAct(present, collection, key, types, "TryRemove", "Remove") is { } removed)
            {
                var shape = shapeFits && !isTryGet && absent is null && IsRemoveStatementFirst(present, removed) ? CheckThenActShape.TryRemove : CheckThenActShape.None;
                var advice = isTryGet ? "TryRemove(KeyValuePair) with the value read, which removes only that value" : "TryRemove alone";
                return new CheckThenActMatch(conditional, check, removed, collection, check.TargetMethod.Name, ActName(removed), shape, advice);
            }

            if (updated is not null)
            {
                return new CheckThenActMatch(conditional, check, updated, collection, check.TargetMethod.Name, ActName(updated), CheckThenActShape.None,
                    "TryUpdate with the value read (in a loop until it succeeds), or AddOrUpdate");
            }

            // `if (d.ContainsKey(k)) return d[k];`: the entry can be removed in between and the indexer throws.
            if (!isTryGet && !conjunction && FindAct(present, collection, key, types, "indexer-get") is { } read)
            {
                var shape = absent is null || !References(absent, collection) ? CheckThenActShape.TryGetValue : CheckThenActShape.None;
                return new CheckThenActMatch(conditional, check, read, collection, "ContainsKey", "read with the indexer, which throws if the entry was removed in between", shape, "TryGetValue");
            }

            return null;
        }

        /// <summary>`if (q.Count > 0) q.TryDequeue(out var x)` and `if (q.Count < max) q.Enqueue(x)`.</summary>
        private static CheckThenActMatch? MatchCount(IOperation statement, IOperation condition, IOperation? whenTrue, IOperation? whenFalse, KnownTypes types)
        {
            // `a && q.Count < max`: a check anywhere in a chain of && guards the branch all the same.
            var whole = true;
            if (!TryReadCount(condition, types, out var collection, out var countCheck, out var meansNonEmpty, out var meansBelowBound, out var negated))
            {
                var found = false;
                foreach (var operand in Conjuncts(condition))
                {
                    if (TryReadCount(operand, types, out collection, out countCheck, out meansNonEmpty, out meansBelowBound, out negated) && !negated)
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return null;
                }

                whole = false;
            }

            if (!IsShared(collection, types))
            {
                return null;
            }

            var branch = negated ? whenFalse : whenTrue;
            var region = new List<IOperation>();
            if (branch is not null)
            {
                region.Add(branch);
            }
            else if (statement is IConditionalOperation && statement.Parent is IBlockOperation block)
            {
                // `if (q.Count == 0) return; q.TryDequeue(out var item);`: what follows the early exit relies on
                // the check. `if (q.Count >= max) q.TryDequeue(out _); q.Enqueue(item);`: the add right after it
                // relies on the bound it just made room under.
                var following = block.Operations.Skip(block.Operations.IndexOf(statement) + 1);
                if (EndsInJump(whenTrue))
                {
                    region.AddRange(following);
                }
                else if (meansBelowBound && following.FirstOrDefault() is { } next)
                {
                    region.Add(next);
                }
            }

            if (region.Count == 0)
            {
                return null;
            }

            var operations = region.SelectMany(r => r.DescendantsInSameFunction().Prepend(r)).ToList();
            if (meansNonEmpty)
            {
                foreach (var operation in operations)
                {
                    if (operation is IInvocationOperation { TargetMethod.Name: "TryDequeue" or "TryPop" or "TryTake" or "TryPeek" } take
                        && take.Instance is { } instance && SharedAccess.SameVariable(instance.WalkDownConversions(), collection)
                        && take.Parent is IExpressionStatementOperation)
                    {
                        var first = branch is null ? null : branch.Statements().FirstOrDefault();
                        var shape = whole && !negated && ReferenceEquals(first, take.Parent) && whenFalse is null && IsPlainCountCondition(condition) ? CheckThenActShape.TryTake : CheckThenActShape.None;
                        return new CheckThenActMatch(statement, countCheck, take, collection, CountName(countCheck), "taken from with " + take.TargetMethod.Name + ", whose result is ignored, so the item may be gone and the default used", shape,
                            "the result of " + take.TargetMethod.Name + " as the condition");
                    }
                }
            }

            if (meansBelowBound)
            {
                foreach (var operation in operations)
                {
                    if (IsAddTo(operation, collection, types) is { } add)
                    {
                        return new CheckThenActMatch(statement, countCheck, add, collection, CountName(countCheck), ActName(add), CheckThenActShape.None,
                            "a bounded Channel, BlockingCollection with a bound, or a SemaphoreSlim, since no single call checks the bound and adds");
                    }
                }
            }

            return null;
        }

        private static IEnumerable<IOperation> Conjuncts(IOperation condition)
        {
            if (condition.WalkDownConversions() is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and)
            {
                foreach (var operand in Conjuncts(and.LeftOperand).Concat(Conjuncts(and.RightOperand)))
                {
                    yield return operand;
                }
            }
            else
            {
                yield return condition;
            }
        }

        private static bool EndsInJump(IOperation? operation) =>
            operation.Statements().LastOrDefault() is IReturnOperation or IBranchOperation or IThrowOperation
            || operation is IExpressionStatementOperation { Operation: IThrowOperation };

        /// <summary>`d[k] = d.TryGetValue(k, out var c) ? c + 1 : 1;`</summary>
        private static CheckThenActMatch? MatchCounterExpression(ISimpleAssignmentOperation assignment, IPropertyReferenceOperation store, KnownTypes types)
        {
            if (assignment.Value.WalkDownConversions() is not IConditionalOperation conditional
                || conditional.Condition.WalkDownConversions() is not IInvocationOperation { TargetMethod.Name: "TryGetValue", Arguments.Length: 2, Instance: { } collection } check
                || !InOrder(check)
                || !SharedAccess.SameVariable(collection.WalkDownConversions(), store.Instance!.WalkDownConversions())
                || !SameKey(check.Arguments[0].Value, store.Arguments[0].Value)
                || !IsShared(collection, types))
            {
                // `d[k] = d.GetValueOrDefault(k) + 1`: a read and a write of the same entry.
                foreach (var operation in assignment.Value.DescendantsInSameFunction().Prepend(assignment.Value))
                {
                    if (operation is IInvocationOperation { TargetMethod.Name: "GetValueOrDefault" } read
                        && read.Arguments.Length >= 2
                        && InOrder(read)
                        && SharedAccess.SameVariable(read.Arguments[0].Value.WalkDownConversions(), store.Instance!.WalkDownConversions())
                        && SameKey(read.Arguments[1].Value, store.Arguments[0].Value)
                        && IsShared(store.Instance!, types))
                    {
                        return new CheckThenActMatch(assignment, read, assignment, store.Instance!, "GetValueOrDefault", "changed with the indexer", CheckThenActShape.AddOrUpdate, "AddOrUpdate");
                    }
                }

                return null;
            }

            return new CheckThenActMatch(assignment, check, assignment, collection, "TryGetValue", "changed with the indexer", CheckThenActShape.AddOrUpdate, "AddOrUpdate");
        }

        private static bool TryReadCount(IOperation condition, KnownTypes types, out IOperation collection, out IOperation countCheck, out bool meansNonEmpty, out bool meansBelowBound, out bool negated)
        {
            collection = null!;
            countCheck = null!;
            meansNonEmpty = meansBelowBound = negated = false;
            condition = condition.WalkDownConversions();
            if (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not
                && not.Operand.WalkDownConversions() is IPropertyReferenceOperation { Property.Name: "IsEmpty", Instance: { } emptyOf } isEmpty
                && IsCountable(emptyOf.Type, types))
            {
                collection = emptyOf.WalkDownConversions();
                countCheck = isEmpty;
                meansNonEmpty = true;
                return true;
            }

            if (condition is IPropertyReferenceOperation { Property.Name: "IsEmpty", Instance: { } emptyInstance } empty && IsCountable(emptyInstance.Type, types))
            {
                // `if (q.IsEmpty) return; else …` is rare; `while (q.IsEmpty)` waits. Only the else branch relies on it.
                collection = emptyInstance.WalkDownConversions();
                countCheck = empty;
                meansNonEmpty = true;
                negated = true;
                return true;
            }

            if (condition is not IBinaryOperation binary)
            {
                return false;
            }

            var countOnLeft = IsCount(binary.LeftOperand, types);
            var count = countOnLeft ? binary.LeftOperand.WalkDownConversions() : binary.RightOperand.WalkDownConversions();
            if (!countOnLeft && !IsCount(binary.RightOperand, types))
            {
                return false;
            }

            var other = countOnLeft ? binary.RightOperand : binary.LeftOperand;
            var kind = countOnLeft ? binary.OperatorKind : Mirror(binary.OperatorKind);
            var zero = other.ConstantValue is { HasValue: true, Value: 0 };
            var one = other.ConstantValue is { HasValue: true, Value: 1 };
            collection = ((IPropertyReferenceOperation)count).Instance!.WalkDownConversions();
            countCheck = count;
            switch (kind)
            {
                case BinaryOperatorKind.GreaterThan when zero:
                case BinaryOperatorKind.NotEquals when zero:
                case BinaryOperatorKind.GreaterThanOrEqual when one:
                    meansNonEmpty = true;
                    return true;
                case BinaryOperatorKind.Equals when zero:
                    meansNonEmpty = true;
                    negated = true;
                    return true;
                case BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual when !zero:
                    meansBelowBound = true;
                    return true;
                case BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.GreaterThan when !zero:
                    meansBelowBound = true;
                    negated = true;
                    return true;
                default:
                    return false;
            }
        }

        private static BinaryOperatorKind Mirror(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
            _ => kind,
        };

        private static bool IsPlainCountCondition(IOperation condition) =>
            condition.WalkDownConversions() is IUnaryOperation or IBinaryOperation { OperatorKind: BinaryOperatorKind.GreaterThan or BinaryOperatorKind.NotEquals or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual };

        private static bool IsCount(IOperation operation, KnownTypes types) =>
            operation.WalkDownConversions() is IPropertyReferenceOperation { Property.Name: "Count", Instance: { } instance } && IsCountable(instance.Type, types);

        private static bool IsCountable(ITypeSymbol? type, KnownTypes types) => types.IsConcurrentDictionary(type) || types.IsConcurrentProducerConsumer(type);

        private static string CountName(IOperation countCheck) => ((IPropertyReferenceOperation)countCheck).Property.Name;

        private static IOperation? IsAddTo(IOperation operation, IOperation collection, KnownTypes types)
        {
            switch (operation)
            {
                case IInvocationOperation { TargetMethod.Name: "Enqueue" or "Push" or "Add" or "TryAdd" or "PushRange" } call
                    when call.Instance is { } instance && SharedAccess.SameVariable(instance.WalkDownConversions(), collection):
                    return call;
                case ISimpleAssignmentOperation assignment when Indexer(assignment.Target, types) is { } store && SharedAccess.SameVariable(store.Instance!.WalkDownConversions(), collection):
                    return assignment;
                default:
                    return null;
            }
        }

        /// <summary>
        /// The first operation in <paramref name="branch"/> on the same collection and key, of one of the
        /// <paramref name="kinds"/>: method names, "indexer-set" or "indexer-get".
        /// </summary>
        private static IOperation? FindAct(IOperation branch, IOperation collection, IOperation key, KnownTypes types, params string[] kinds)
        {
            foreach (var operation in branch.DescendantsInSameFunction().Prepend(branch))
            {
                // Double-checked under a lock (`if (!d.TryGetValue(…)) lock (g) { if (!d.TryGetValue(…)) d[k] = …; }`):
                // the act inside the lock is checked again there.
                if (IsUnderLockWithin(operation, branch))
                {
                    continue;
                }

                switch (operation)
                {
                    case IInvocationOperation call when call.Instance is { } instance
                        && kinds.Contains(call.TargetMethod.Name)
                        && call.Arguments.Length > 0
                        && InOrder(call)
                        && SharedAccess.SameVariable(instance.WalkDownConversions(), collection.WalkDownConversions())
                        && SameKey(call.Arguments[0].Value, key):
                        return call;
                    case IAssignmentOperation assignment when kinds.Contains("indexer-set")
                        && Indexer(assignment.Target, types) is { } store
                        && SharedAccess.SameVariable(store.Instance!.WalkDownConversions(), collection.WalkDownConversions())
                        && SameKey(store.Arguments[0].Value, key):
                        return assignment;
                    case IIncrementOrDecrementOperation step when kinds.Contains("indexer-set")
                        && Indexer(step.Target, types) is { } stepped
                        && SharedAccess.SameVariable(stepped.Instance!.WalkDownConversions(), collection.WalkDownConversions())
                        && SameKey(stepped.Arguments[0].Value, key):
                        return step;
                    case IPropertyReferenceOperation read when kinds.Contains("indexer-get")
                        && Indexer(read, types) is { } get
                        && !read.IsWriteTarget()
                        && SharedAccess.SameVariable(get.Instance!.WalkDownConversions(), collection.WalkDownConversions())
                        && SameKey(get.Arguments[0].Value, key):
                        return read;
                }
            }

            return null;
        }

        private static bool IsUnderLockWithin(IOperation operation, IOperation branch)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, branch.Parent); current = current.Parent)
            {
                if (current is ILockOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Arguments in parameter order (no named arguments moved around), so that positions name parameters.</summary>
        private static bool InOrder(IInvocationOperation call)
        {
            for (var i = 0; i < call.Arguments.Length; i++)
            {
                if (call.Arguments[i].Parameter?.Ordinal != i)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The indexer of a concurrent dictionary with its one key argument.</summary>
        internal static IPropertyReferenceOperation? Indexer(IOperation operation, KnownTypes types) =>
            operation.WalkDownConversions() is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } instance } indexer
            && types.IsConcurrentDictionary(instance.Type)
                ? indexer
                : null;

        /// <summary>The same key: the same variable, the same constant, or the same expression without calls in it.</summary>
        internal static bool SameKey(IOperation first, IOperation second)
        {
            first = first.WalkDownConversions();
            second = second.WalkDownConversions();
            if (first.ConstantValue.HasValue && second.ConstantValue.HasValue)
            {
                return Equals(first.ConstantValue.Value, second.ConstantValue.Value);
            }

            if (SharedAccess.SameVariable(first, second))
            {
                return true;
            }

            return !first.DescendantsInSameFunction().Prepend(first).Any(o => o is IInvocationOperation or IObjectCreationOperation)
                && SyntaxFactory.AreEquivalent(first.Syntax, second.Syntax);
        }

        /// <summary>
        /// A collection other threads can reach: a field, property or parameter. A local counts only when work
        /// that runs concurrently (Task.Run, Parallel.*, a thread, a timer) captures it; one that stays in its
        /// method, or is only captured by a LINQ query that runs right there, is that call's own.
        /// </summary>
        private static bool IsShared(IOperation collection, KnownTypes types)
        {
            switch (collection.WalkDownConversions())
            {
                case IFieldReferenceOperation or IPropertyReferenceOperation or IParameterReferenceOperation:
                    return true;
                case ILocalReferenceOperation local:
                    foreach (var operation in collection.Root().DescendantsInSourceOrder())
                    {
                        if (operation is IInvocationOperation or IObjectCreationOperation or IEventAssignmentOperation
                            && ConcurrentEntryPoint.TryGet(operation, types, out var entry)
                            && entry.Work.Any(work => work.DescendantsInSourceOrder().Any(o => o is ILocalReferenceOperation other && SymbolEqualityComparer.Default.Equals(other.Local, local.Local))))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }

        private static bool References(IOperation root, IOperation collection) =>
            root.DescendantsInSameFunction().Prepend(root).Any(o => o.Kind == collection.WalkDownConversions().Kind && SharedAccess.SameVariable(o, collection.WalkDownConversions()));

        private static bool BothBranchesAreSingleStores(IConditionalOperation conditional) =>
            conditional.WhenFalse is not null
            && conditional.WhenTrue.Statements() is { Length: 1 } whenTrue
            && conditional.WhenFalse.Statements() is { Length: 1 } whenFalse
            && whenTrue[0] is IExpressionStatementOperation { Operation: IAssignmentOperation or IIncrementOrDecrementOperation }
            && whenFalse[0] is IExpressionStatementOperation { Operation: IAssignmentOperation or IIncrementOrDecrementOperation };

        /// <summary>`{ v = create; d[k] = v; }` or `{ v = create; d.TryAdd(k, v); }` where v is TryGetValue's out variable.</summary>
        private static bool IsGetOrAddBody(IOperation absent, IInvocationOperation check, IOperation collection, IOperation key, KnownTypes types)
        {
            if (check.Arguments.Length != 2 || OutLocal(check.Arguments[1].Value) is not { } value)
            {
                return false;
            }

            var statements = absent.Statements();
            if (statements.Length != 2
                || statements[0] is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation create }
                || !SymbolEqualityComparer.Default.Equals(create.Target.ReferencedSymbol(), value)
                || statements[1] is not IExpressionStatementOperation { Operation: var store })
            {
                return false;
            }

            IOperation stored;
            switch (store)
            {
                case ISimpleAssignmentOperation assignment when Indexer(assignment.Target, types) is { } indexer && SameKey(indexer.Arguments[0].Value, key):
                    stored = assignment.Value;
                    break;
                case IInvocationOperation { TargetMethod.Name: "TryAdd", Arguments.Length: 2 } tryAdd when SameKey(tryAdd.Arguments[0].Value, key):
                    stored = tryAdd.Arguments[1].Value;
                    break;
                default:
                    return false;
            }

            return SymbolEqualityComparer.Default.Equals(stored.ReferencedSymbol(), value);
        }

        /// <summary>The local an `out` argument writes: `out v` or `out var v`.</summary>
        internal static ILocalSymbol? OutLocal(IOperation argument) => argument.WalkDownConversions() switch
        {
            IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } => declared.Local,
            ILocalReferenceOperation local => local.Local,
            _ => null,
        };

        private static bool IsSingleAdd(IOperation absent, IOperation added) =>
            absent.Statements() is { Length: 1 } statements
            && statements[0] is IExpressionStatementOperation { Operation: var only }
            && ReferenceEquals(only, added)
            && (added is ISimpleAssignmentOperation || added is IInvocationOperation { TargetMethod.Name: "TryAdd", Arguments.Length: 2 });

        private static bool IsRemoveStatementFirst(IOperation present, IOperation removed) =>
            removed is IInvocationOperation { TargetMethod.Name: "TryRemove", Parent: IExpressionStatementOperation statement }
            && ReferenceEquals(present.Statements().FirstOrDefault(), statement);

        private static string ActName(IOperation act) => act switch
        {
            IInvocationOperation call => "changed with " + call.TargetMethod.Name,
            _ => "changed with the indexer",
        };

        private static string Name(IOperation collection) => collection.WalkDownConversions() switch
        {
            IMemberReferenceOperation member => member.Member.Name,
            ILocalReferenceOperation local => local.Local.Name,
            IParameterReferenceOperation parameter => parameter.Parameter.Name,
            var other => other.Syntax.ToString(),
        };
    }
}
