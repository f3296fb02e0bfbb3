using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal static class OperationExtensions
    {
        /// <summary>Strips conversions and parentheses, which never change what a value refers to here.</summary>
        public static IOperation WalkDownConversions(this IOperation operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    default:
                        return operation;
                }
            }
        }

        /// <summary>The first parent that is not a conversion or parentheses.</summary>
        public static IOperation? WalkUpConversions(this IOperation operation, out IOperation child)
        {
            child = operation;
            var parent = operation.Parent;
            while (parent is IConversionOperation or IParenthesizedOperation)
            {
                child = parent;
                parent = parent.Parent;
            }

            return parent;
        }

        /// <summary>
        /// The symbol a simple reference expression names: a local, parameter, field or property (of this
        /// or static), so that two references to the same variable compare equal. Null for anything else.
        /// </summary>
        public static ISymbol? ReferencedSymbol(this IOperation? operation)
        {
            switch (operation?.WalkDownConversions())
            {
                case ILocalReferenceOperation local:
                    return local.Local;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                case IFieldReferenceOperation field when IsThisOrStatic(field.Instance, field.Field):
                    return field.Field;
                case IPropertyReferenceOperation property when property.Arguments.Length == 0 && IsThisOrStatic(property.Instance, property.Property):
                    return property.Property;
                default:
                    return null;
            }
        }

        /// <summary>
        /// The variable an assignment target names, whichever object a field or property belongs to: a
        /// local, parameter, field or parameterless property. Null for array slots, indexers and the like.
        /// </summary>
        public static ISymbol? TargetSymbol(this IOperation operation) => operation.WalkDownConversions() switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field.OriginalDefinition,
            IPropertyReferenceOperation { Arguments.Length: 0 } property => property.Property.OriginalDefinition,
            _ => null,
        };

        private static bool IsThisOrStatic(IOperation? instance, ISymbol member) =>
            member.IsStatic || instance is null || instance.WalkDownConversions() is IInstanceReferenceOperation;

        /// <summary>All operations below <paramref name="root"/>, skipping the bodies of nested lambdas and local functions.</summary>
        public static IEnumerable<IOperation> DescendantsInSameFunction(this IOperation root) => Descendants(root, intoNestedFunctions: false);

        /// <summary>`await call` or `await call.ConfigureAwait(…)` right where the call is made.</summary>
        public static bool IsAwaitedOnTheSpot(this IOperation call)
        {
            var parent = call.WalkUpConversions(out _);
            return parent is IAwaitOperation
                || (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.WalkUpConversions(out _) is IAwaitOperation);
        }

        /// <summary>
        /// The task this call returns is awaited on the spot (`await x`, `await x.ConfigureAwait(false)`) or
        /// blocked on (`.Wait()`, `.Result`, `.GetAwaiter().GetResult()`): the caller does not go on before it ends.
        /// </summary>
        public static bool IsAwaitedOrBlockedOn(this IOperation call)
        {
            var current = call;
            while (true)
            {
                var parent = current.WalkUpConversions(out _);
                switch (parent)
                {
                    case IAwaitOperation:
                        return true;
                    case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "GetAwaiter" } wrap when wrap.Instance is not null && ReferenceEquals(wrap.Instance.WalkDownConversions(), current.WalkDownConversions()):
                        current = wrap;
                        continue;
                    case IInvocationOperation { TargetMethod.Name: "Wait" or "GetResult" } wait when wait.Instance is not null && ReferenceEquals(wait.Instance.WalkDownConversions(), current.WalkDownConversions()):
                        return true;
                    case IPropertyReferenceOperation { Property.Name: "Result" }:
                        return true;
                    default:
                        return false;
                }
            }
        }

        /// <summary>A member body and the body of every lambda and local function in it, each a function of its own.</summary>
        public static IEnumerable<IOperation> FunctionBodies(this IOperation memberBody)
        {
            yield return memberBody;
            foreach (var operation in memberBody.Descendants())
            {
                switch (operation)
                {
                    case IAnonymousFunctionOperation lambda:
                        yield return lambda.Body;
                        break;
                    case ILocalFunctionOperation { Body: { } body }:
                        yield return body;
                        break;
                }
            }
        }

        /// <summary>All operations below <paramref name="root"/>, lambdas included, in source order (Roslyn's own pre-order walk).</summary>
        public static IEnumerable<IOperation> DescendantsInSourceOrder(this IOperation root) => root.Descendants();

        private static IEnumerable<IOperation> Descendants(IOperation root, bool intoNestedFunctions)
        {
            var stack = new Stack<IOperation>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                if (!ReferenceEquals(current, root))
                {
                    yield return current;
                    if (!intoNestedFunctions && current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    {
                        continue;
                    }
                }

                // Push in reverse so that the walk is in source order.
                var children = new List<IOperation>(current.GetChildren());
                for (var i = children.Count - 1; i >= 0; i--)
                {
                    stack.Push(children[i]);
                }
            }
        }

        /// <summary>Roslyn 4.8 has no public ChildOperations on every operation kind we meet; Children is obsolete but complete.</summary>
        public static IEnumerable<IOperation> GetChildren(this IOperation operation)
        {
#pragma warning disable CS0618 // Children is obsolete in newer Roslyn but is the portable way in 4.8.
            return operation.Children;
#pragma warning restore CS0618
        }

        /// <summary>The statements of a branch or body: a block's, or the one embedded statement; none for null.</summary>
        public static System.Collections.Immutable.ImmutableArray<IOperation> Statements(this IOperation? operation) => operation switch
        {
            null => System.Collections.Immutable.ImmutableArray<IOperation>.Empty,
            IBlockOperation block => block.Operations,
            _ => System.Collections.Immutable.ImmutableArray.Create(operation),
        };

        /// <summary>The top of the operation tree the operation is in: the member body (or field initializer) it belongs to.</summary>
        public static IOperation Root(this IOperation operation)
        {
            var current = operation;
            while (current.Parent is not null)
            {
                current = current.Parent;
            }

            return current;
        }

        /// <summary>True when <paramref name="operation"/> is <paramref name="ancestor"/> or lies inside it.</summary>
        public static bool IsWithin(this IOperation operation, IOperation ancestor)
        {
            for (var current = operation; current is not null; current = current.Parent)
            {
                if (ReferenceEquals(current, ancestor))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The statement that contains the operation, directly in a block or a switch section.</summary>
        public static IOperation? EnclosingStatement(this IOperation operation)
        {
            for (var current = operation; current.Parent is not null; current = current.Parent)
            {
                if (current.Parent is IBlockOperation)
                {
                    return current;
                }
            }

            return null;
        }

        /// <summary>Is this reference the target being written (assignment, compound assignment, ++/--, ref/out argument)?</summary>
        public static bool IsWriteTarget(this IOperation reference)
        {
            var parent = reference.WalkUpConversions(out var child);
            switch (parent)
            {
                case IAssignmentOperation assignment when ReferenceEquals(assignment.Target, child):
                    return true;
                case IIncrementOrDecrementOperation:
                    return true;
                case IArgumentOperation argument when argument.Parameter is { RefKind: RefKind.Ref or RefKind.Out }:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>The type of the value a local, parameter, field or property holds.</summary>
        public static ITypeSymbol? ValueType(this ISymbol symbol) => symbol switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };

        /// <summary>The block a member body or lambda body consists of (method bodies wrap it once more).</summary>
        public static IBlockOperation? WalkDownToBlock(this IOperation body) => body switch
        {
            IBlockOperation block => block,
            IMethodBodyBaseOperation method => method.BlockBody ?? method.ExpressionBody,
            _ => null,
        };
    }
}
