using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum LazyInitializationForm
    {
        /// <summary>`if (_x == null) { …; _x = value; }`</summary>
        IfUnset,

        /// <summary>`if (_x != null) return _x; …; _x = value; return _x;`</summary>
        EarlyReturn,

        /// <summary>`_x ??= value`</summary>
        CoalesceAssignment,

        /// <summary>`_x ?? (_x = value)`</summary>
        CoalesceWithAssignment,

        /// <summary>`if (!_initialized) { …; _initialized = true; }`</summary>
        Flag,
    }

    internal enum LazyInitializationProblem
    {
        /// <summary>No lock at all: two threads can both see the field unset.</summary>
        Unsynchronized,

        /// <summary>Double-checked locking whose first, unlocked read is of a field that is not volatile.</summary>
        NotVolatile,

        /// <summary>Double-checked locking without the check inside the lock: the second thread in creates again.</summary>
        NoInnerCheck,

        /// <summary>The field is set before the object is filled in (or the flag before the work is done).</summary>
        PublishedEarly,
    }

    /// <summary>
    /// "Initialize on first use" written by hand on a field: the check, the creation, the store, and the
    /// lock around them if there is one. One recognizer serves the lazy-initialization rules and their fix,
    /// so what is reported is exactly what the fix knows how to rewrite.
    /// </summary>
    internal sealed class LazyInitialization
    {
        private LazyInitialization(
            IFieldSymbol field,
            LazyInitializationForm form,
            IOperation check,
            ILockOperation? lockOperation,
            IOperation? store,
            IOperation? value,
            ImmutableArray<IOperation> setup,
            ImmutableArray<IOperation> completion,
            ImmutableArray<IOperation> region,
            LazyInitializationProblem problem)
        {
            Field = field;
            Form = form;
            Check = check;
            Lock = lockOperation;
            Store = store;
            Value = value;
            Setup = setup;
            Completion = completion;
            Region = region;
            Problem = problem;
        }

        public IFieldSymbol Field { get; }

        public LazyInitializationForm Form { get; }

        /// <summary>The outer `if`, or the `??=` / `??` expression.</summary>
        public IOperation Check { get; }

        /// <summary>The lock of double-checked locking, if any.</summary>
        public ILockOperation? Lock { get; }

        /// <summary>The statement (or assignment) that stores the value in the field; for a flag, the `= true`.</summary>
        public IOperation? Store { get; }

        /// <summary>The value stored: the creation expression.</summary>
        public IOperation? Value { get; }

        /// <summary>Statements before the store in the innermost guarded block (what builds the value).</summary>
        public ImmutableArray<IOperation> Setup { get; }

        /// <summary>Statements after the store in the innermost guarded block (for a field, what fills it in after publishing).</summary>
        public ImmutableArray<IOperation> Completion { get; }

        /// <summary>For <see cref="LazyInitializationForm.EarlyReturn"/>: the statements after the `if`, up to the end of the block.</summary>
        public ImmutableArray<IOperation> Region { get; }

        public LazyInitializationProblem Problem { get; }

        public bool IsDoubleChecked => Lock is not null;

        /// <summary>
        /// Recognizes hand-written lazy initialization at <paramref name="operation"/> (an `if` statement, a
        /// `??=`, or a `??` whose right side assigns the field). Null when the shape is not one, or when it
        /// is done right (under a lock with the check inside, or double-checked on a volatile field).
        /// </summary>
        public static LazyInitialization? Match(IOperation operation)
        {
            switch (operation)
            {
                case ICoalesceAssignmentOperation coalesce when OwnField(coalesce.Target) is { } field && IsCreation(coalesce.Value):
                    return new LazyInitialization(field, LazyInitializationForm.CoalesceAssignment, coalesce, null, coalesce, coalesce.Value,
                        ImmutableArray<IOperation>.Empty, ImmutableArray<IOperation>.Empty, ImmutableArray<IOperation>.Empty, LazyInitializationProblem.Unsynchronized);
                case ICoalesceOperation coalesce
                    when OwnField(coalesce.Value) is { } field
                    && coalesce.WhenNull.WalkDownConversions() is ISimpleAssignmentOperation assignment
                    && SymbolEqualityComparer.Default.Equals(OwnField(assignment.Target), field)
                    && IsCreation(assignment.Value):
                    return new LazyInitialization(field, LazyInitializationForm.CoalesceWithAssignment, coalesce, null, assignment, assignment.Value,
                        ImmutableArray<IOperation>.Empty, ImmutableArray<IOperation>.Empty, ImmutableArray<IOperation>.Empty, LazyInitializationProblem.Unsynchronized);
                case IConditionalOperation { IsRef: false } conditional when conditional.Type is null || conditional.Type.SpecialType == SpecialType.System_Void:
                    return MatchIf(conditional);
                default:
                    return null;
            }
        }

        private static LazyInitialization? MatchIf(IConditionalOperation conditional)
        {
            if (conditional.WhenFalse is not null || !TryReadCheck(conditional.Condition, out var field, out var unsetWhenTrue, out var isFlag))
            {
                return null;
            }

            if (unsetWhenTrue)
            {
                return MatchRegion(field, isFlag ? LazyInitializationForm.Flag : LazyInitializationForm.IfUnset, conditional, conditional.WhenTrue.Statements(), ImmutableArray<IOperation>.Empty);
            }

            // `if (_x != null) return _x;` (or `if (_initialized) return;`) followed by the initialization in the
            // rest of the block.
            if (!(ReturnsField(conditional.WhenTrue, field) || IsBareReturn(conditional.WhenTrue)) || conditional.Parent is not IBlockOperation block)
            {
                return null;
            }

            var index = block.Operations.IndexOf(conditional);
            var rest = block.Operations.Skip(index + 1).ToImmutableArray();
            return MatchRegion(field, isFlag ? LazyInitializationForm.Flag : LazyInitializationForm.EarlyReturn, conditional, rest, rest);
        }

        private static LazyInitialization? MatchRegion(IFieldSymbol field, LazyInitializationForm form, IOperation check, ImmutableArray<IOperation> statements, ImmutableArray<IOperation> region)
        {
            var isFlag = form == LazyInitializationForm.Flag;
            if (FindStore(statements, field, isFlag) is { } direct)
            {
                var (setup, completion) = Split(statements, direct.Statement);
                var early = PublishesEarly(field, isFlag, setup, completion);
                return new LazyInitialization(field, form, check, null, direct.Statement, direct.Value, setup, completion, region,
                    early ? LazyInitializationProblem.PublishedEarly : LazyInitializationProblem.Unsynchronized);
            }

            foreach (var statement in statements)
            {
                if (statement is not ILockOperation lockOperation)
                {
                    continue;
                }

                var inside = lockOperation.Body.Statements();
                if (FindStore(inside, field, isFlag) is { } unchecked_)
                {
                    var (setup, completion) = Split(inside, unchecked_.Statement);
                    return new LazyInitialization(field, form, check, lockOperation, unchecked_.Statement, unchecked_.Value, setup, completion, region, LazyInitializationProblem.NoInnerCheck);
                }

                foreach (var candidate in inside)
                {
                    if (candidate is not IConditionalOperation { WhenFalse: null } inner
                        || !TryReadCheck(inner.Condition, out var innerField, out var innerUnset, out var innerFlag)
                        || !SymbolEqualityComparer.Default.Equals(innerField, field)
                        || innerFlag != isFlag)
                    {
                        continue;
                    }

                    var guarded = innerUnset
                        ? inner.WhenTrue.Statements()
                        : ReturnsField(inner.WhenTrue, field) ? inside.Skip(inside.IndexOf(inner) + 1).ToImmutableArray() : ImmutableArray<IOperation>.Empty;
                    if (FindStore(guarded, field, isFlag) is not { } store)
                    {
                        continue;
                    }

                    var (setup, completion) = Split(guarded, store.Statement);
                    LazyInitializationProblem problem;
                    if (PublishesEarly(field, isFlag, setup, completion))
                    {
                        problem = LazyInitializationProblem.PublishedEarly;
                    }
                    else if (!field.IsVolatile)
                    {
                        problem = LazyInitializationProblem.NotVolatile;
                    }
                    else
                    {
                        // Volatile, checked again inside the lock, published when complete: done right.
                        return null;
                    }

                    return new LazyInitialization(field, form, check, lockOperation, store.Statement, store.Value, setup, completion, region, problem);
                }
            }

            return null;
        }

        /// <summary>
        /// A field published before it is complete: `_x = new T(); _x.Load();` lets another thread use the
        /// half-built object; `_initialized = true; Load();` lets it skip initialization that has not happened.
        /// </summary>
        private static bool PublishesEarly(IFieldSymbol field, bool isFlag, ImmutableArray<IOperation> setup, ImmutableArray<IOperation> completion)
        {
            if (isFlag)
            {
                return setup.IsEmpty && completion.Any(s => s is not IReturnOperation);
            }

            return completion.Any(statement => statement is not IReturnOperation && References(statement, field));
        }

        private static (ImmutableArray<IOperation> Setup, ImmutableArray<IOperation> Completion) Split(ImmutableArray<IOperation> statements, IOperation store)
        {
            var index = statements.IndexOf(store);
            return (statements.Take(index).ToImmutableArray(), statements.Skip(index + 1).ToImmutableArray());
        }

        /// <summary>`_x = value;` (or `_flag = true;`) as a statement of its own among <paramref name="statements"/>.</summary>
        private static (IOperation Statement, IOperation? Value)? FindStore(ImmutableArray<IOperation> statements, IFieldSymbol field, bool isFlag)
        {
            foreach (var statement in statements)
            {
                if (statement is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment }
                    && SymbolEqualityComparer.Default.Equals(OwnField(assignment.Target), field))
                {
                    if (isFlag)
                    {
                        return assignment.Value.ConstantValue is { HasValue: true, Value: true } ? (statement, null) : null;
                    }

                    return IsCreation(assignment.Value) ? (statement, assignment.Value) : null;
                }
            }

            return null;
        }

        /// <summary>
        /// Reads `_x == null`, `_x is null`, `null == _x`, `!_flag`, `_flag == false` (unset when true), or
        /// `_x != null`, `_x is not null`, `_flag` (set when true).
        /// </summary>
        public static bool TryReadCheck(IOperation condition, out IFieldSymbol field, out bool unsetWhenTrue, out bool isFlag)
        {
            field = null!;
            unsetWhenTrue = false;
            isFlag = false;
            condition = condition.WalkDownConversions();
            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not
                    when TryReadCheck(not.Operand, out field, out var inner, out isFlag):
                    unsetWhenTrue = !inner;
                    return true;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                    {
                        var equals = binary.OperatorKind == BinaryOperatorKind.Equals;
                        var (reference, other) = OwnField(binary.LeftOperand) is not null ? (binary.LeftOperand, binary.RightOperand) : (binary.RightOperand, binary.LeftOperand);
                        if (OwnField(reference) is not { } found || !other.ConstantValue.HasValue)
                        {
                            return false;
                        }

                        field = found;
                        if (other.ConstantValue.Value is null && !found.Type.IsValueType)
                        {
                            unsetWhenTrue = equals;
                            return true;
                        }

                        if (other.ConstantValue.Value is bool constant && found.Type.SpecialType == SpecialType.System_Boolean)
                        {
                            isFlag = true;
                            unsetWhenTrue = equals != constant;
                            return true;
                        }

                        return false;
                    }

                case IIsPatternOperation { Pattern: var pattern } isPattern when OwnField(isPattern.Value) is { } found && !found.Type.IsValueType:
                    {
                        field = found;
                        switch (pattern)
                        {
                            case IConstantPatternOperation constant when constant.Value.ConstantValue is { HasValue: true, Value: null }:
                                unsetWhenTrue = true;
                                return true;
                            case INegatedPatternOperation { Pattern: IConstantPatternOperation negated } when negated.Value.ConstantValue is { HasValue: true, Value: null }:
                                unsetWhenTrue = false;
                                return true;
                            default:
                                return false;
                        }
                    }

                default:
                    if (OwnField(condition) is { Type.SpecialType: SpecialType.System_Boolean } flag)
                    {
                        field = flag;
                        isFlag = true;
                        unsetWhenTrue = false;
                        return true;
                    }

                    return false;
            }
        }

        /// <summary>A field of this object or a static field, read or written directly.</summary>
        public static IFieldSymbol? OwnField(IOperation? operation) =>
            operation?.WalkDownConversions() is IFieldReferenceOperation reference
            && (reference.Field.IsStatic || reference.Instance?.WalkDownConversions() is IInstanceReferenceOperation)
                ? reference.Field
                : null;

        /// <summary>A value worth creating once: anything but a constant (storing null or a literal is no initialization).</summary>
        private static bool IsCreation(IOperation value)
        {
            switch (value.WalkDownConversions())
            {
                case { ConstantValue.HasValue: true }:
                    return false;

                // `StringComparer.Ordinal`, `string.Empty`, `Array.Empty<T>()`: the same object whichever thread
                // reads it first, so losing the race changes nothing.
                case IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true } }:
                case IPropertyReferenceOperation { Property.IsStatic: true, Arguments.IsEmpty: true }:
                case IInvocationOperation { TargetMethod: { Name: "Empty", IsStatic: true, ContainingType.Name: "Array" } }:
                    return false;
                default:
                    return true;
            }
        }

        private static bool ReturnsField(IOperation? operation, IFieldSymbol field)
        {
            var statements = operation.Statements();
            return statements.Length == 1
                && statements[0] is IReturnOperation { ReturnedValue: { } returned }
                && SymbolEqualityComparer.Default.Equals(OwnField(returned), field);
        }

        private static bool IsBareReturn(IOperation? operation) =>
            operation.Statements() is { Length: 1 } statements && statements[0] is IReturnOperation { ReturnedValue: null };


        public static bool References(IOperation root, IFieldSymbol field) =>
            root.DescendantsInSourceOrder().Prepend(root).Any(o => o is IFieldReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Field, field));

        /// <summary>
        /// Whether the member that contains the initialization goes on to use the field (returns it, calls
        /// it): "initialize on first use", as opposed to a Start method that creates a timer once.
        /// </summary>
        public bool IsUsedAfter(IOperation memberBody)
        {
            if (Form is LazyInitializationForm.CoalesceAssignment or LazyInitializationForm.CoalesceWithAssignment)
            {
                // `return _x ??= …;` uses the value; `_x ??= …;` alone may still be read further down.
                if (Check.Parent is not IExpressionStatementOperation)
                {
                    return true;
                }
            }

            if (Form == LazyInitializationForm.Flag
                || (Form == LazyInitializationForm.EarlyReturn && Check is IConditionalOperation { WhenTrue: var exit } && !IsBareReturn(exit)))
            {
                return true;
            }

            var end = Check.Syntax.Span.End;
            foreach (var operation in memberBody.DescendantsInSourceOrder())
            {
                if (operation.Syntax.SpanStart >= end
                    && operation is IFieldReferenceOperation reference
                    && SymbolEqualityComparer.Default.Equals(reference.Field, Field)
                    && !reference.IsWriteTarget())
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The operations the fix moves into the factory: every statement that builds and fills the value.</summary>
        public IEnumerable<IOperation> FactoryOperations()
        {
            foreach (var statement in Setup)
            {
                yield return statement;
            }

            if (Value is not null)
            {
                yield return Value;
            }

            foreach (var statement in Completion)
            {
                yield return statement;
            }
        }
    }
}
