using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC005: `++`, `--`, `+=`, `-=` or `x = x + k` on a volatile field. The field's volatile says the
    /// author expects other threads; whether this code runs concurrently does not matter.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class VolatileReadModifyWriteAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.VolatileReadModifyWrite);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            context.RegisterOperationAction(operationContext => Analyze(operationContext, types), OperationKind.Increment, OperationKind.Decrement, OperationKind.CompoundAssignment, OperationKind.SimpleAssignment);

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            var target = context.Operation switch
            {
                IIncrementOrDecrementOperation increment => increment.Target,
                ICompoundAssignmentOperation compound => compound.Target,
                ISimpleAssignmentOperation assignment when ReadsField(assignment) => assignment.Target,
                _ => null,
            };

            // Writes under a lock with lock-free readers of the volatile field is a sound, common idiom.
            if (target?.WalkDownConversions() is IFieldReferenceOperation { Field.IsVolatile: true } field
                && !HeldLocks.At(context.Operation, EnclosingFunction.Of(context.Operation, context.ContainingSymbol).Body, types).Any(l => l.IsExclusive))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    RuleDescriptors.VolatileReadModifyWrite,
                    context.Operation.Syntax.GetLocation(),
                    field.Field.Name,
                    context.Operation.Syntax.ToString()));
            }
        }

        /// <summary>`_x = _x + 1`: the new value is computed from the field itself.</summary>
        private static bool ReadsField(ISimpleAssignmentOperation assignment)
        {
            if (assignment.Target.WalkDownConversions() is not IFieldReferenceOperation { Field.IsVolatile: true } target)
            {
                return false;
            }

            foreach (var operation in assignment.Value.DescendantsInSourceOrder())
            {
                if (operation is IFieldReferenceOperation read && SymbolEqualityComparer.Default.Equals(read.Field, target.Field))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
