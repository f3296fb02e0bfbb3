using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Rewrites a read-modify-write into one Interlocked call: `x++` → Interlocked.Increment(ref x),
    /// `x += k` and `x = x + k` → Interlocked.Add, a plain `x = v` → Interlocked.Exchange, for variables
    /// that can be passed by ref (fields and captured locals, not properties) of a type Interlocked has
    /// an overload for.
    /// </summary>
    internal static class InterlockedRewrite
    {
        /// <param name="allowVolatile">
        /// Interlocked on a volatile field is fine (the compiler does not warn for Interlocked calls), but
        /// CONC001 leaves volatile read-modify-writes to CONC005.
        /// </param>
        public static string? Plan(DocumentEditor editor, SemanticModel model, KnownTypes types, SyntaxNode node, IOperation operation, bool allowVolatile)
        {
            IOperation? target;
            string call;
            string? argument = null;
            switch (operation)
            {
                case IIncrementOrDecrementOperation increment:
                    target = increment.Target;
                    call = increment.Kind == OperationKind.Increment ? "Increment" : "Decrement";
                    break;
                case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } compound:
                    target = compound.Target;
                    call = "Add";
                    argument = Operand(compound.Value, compound.OperatorKind == BinaryOperatorKind.Subtract);
                    break;
                case ISimpleAssignmentOperation { Value: IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } binary } assignment
                    when SameVariable(binary.LeftOperand, assignment.Target) || (binary.OperatorKind == BinaryOperatorKind.Add && SameVariable(binary.RightOperand, assignment.Target)):
                    target = assignment.Target;
                    call = "Add";
                    var other = SameVariable(binary.LeftOperand, assignment.Target) ? binary.RightOperand : binary.LeftOperand;
                    argument = Operand(other, binary.OperatorKind == BinaryOperatorKind.Subtract);
                    break;
                // A plain store; `_list = _list.Add(x)` computes from the old value, and swapping it in is still a lost update.
                case ISimpleAssignmentOperation assignment when assignment.Parent is IExpressionStatementOperation && !SharedAccess.ReadsTarget(assignment):
                    target = assignment.Target;
                    call = "Exchange";
                    argument = assignment.Value.Syntax.ToString();
                    break;
                default:
                    return null;
            }

            // Interlocked takes the variable by ref: a field or a (captured) local, not a property or a volatile field.
            var reference = target.WalkDownConversions();
            var type = reference.Type;
            if (reference is not (IFieldReferenceOperation or ILocalReferenceOperation) || type is null
                || (reference is IFieldReferenceOperation { Field.IsVolatile: true } && !allowVolatile)
                || !HasOverload(types.Interlocked!, call, type, argument is null ? 1 : 2))
            {
                return null;
            }

            // Subtracting from an unsigned variable has no Interlocked.Add form that takes a negative number.
            if (call == "Add" && type.SpecialType is SpecialType.System_UInt32 or SpecialType.System_UInt64 && argument!.StartsWith("-", System.StringComparison.Ordinal))
            {
                return null;
            }

            var valueUsed = operation.Parent is not IExpressionStatementOperation;
            if (valueUsed && call == "Exchange")
            {
                return null;
            }

            var interlocked = FixSyntax.TypeName(editor, model, node.SpanStart, types.Interlocked!);
            var text = interlocked + "." + call + "(ref " + reference.Syntax + (argument is null ? ")" : ", " + argument + ")");

            // x++ used as a value yields the old value; Increment returns the new one.
            if (valueUsed && operation is IIncrementOrDecrementOperation { IsPostfix: true } postfix)
            {
                text = "(" + text + (postfix.Kind == OperationKind.Increment ? " - 1)" : " + 1)");
            }

            editor.ReplaceNode(node, SyntaxFactory.ParseExpression(text).WithTriviaFrom(node).WithAdditionalAnnotations(Formatter.Annotation));
            return "Use " + interlocked + "." + call;
        }

        private static string Operand(IOperation value, bool negate)
        {
            var text = value.Syntax.ToString();
            if (!negate)
            {
                return text;
            }

            return value.Syntax is IdentifierNameSyntax or LiteralExpressionSyntax or MemberAccessExpressionSyntax ? "-" + text : "-(" + text + ")";
        }

        private static bool SameVariable(IOperation operand, IOperation target) =>
            SharedAccess.SameVariable(operand.WalkDownConversions(), target.WalkDownConversions());

        private static bool HasOverload(INamedTypeSymbol interlocked, string name, ITypeSymbol type, int parameters)
        {
            foreach (var member in interlocked.GetMembers(name).OfType<IMethodSymbol>())
            {
                if (member.Parameters.Length != parameters || member.Parameters[0].RefKind != RefKind.Ref)
                {
                    continue;
                }

                var parameterType = member.Parameters[0].Type;
                if (SymbolEqualityComparer.Default.Equals(parameterType, type))
                {
                    return true;
                }

                // Exchange<T>(ref T, T) where T : class serves any reference type.
                if (member.IsGenericMethod && parameterType is ITypeParameterSymbol && type.IsReferenceType)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
