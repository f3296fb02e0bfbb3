using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC022: a loop that sleeps until a shared flag, counter or task changes.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PollingLoopAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.PollingLoop);

        private protected override bool IsApplicable(KnownTypes types) => types.Thread is not null || types.Task is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationAction(operationContext => AnalyzeLoop(operationContext, types), OperationKind.Loop);
            if (types.SpinWait is not null)
            {
                context.RegisterOperationAction(operationContext => AnalyzeSpinUntil(operationContext, types), OperationKind.Invocation);
            }
        }

        private static void AnalyzeLoop(OperationAnalysisContext context, KnownTypes types)
        {
            var loop = (ILoopOperation)context.Operation;
            if (loop.LoopKind is not (LoopKind.While or LoopKind.For))
            {
                return;
            }

            var function = EnclosingFunction.Of(loop, context.ContainingSymbol);
            if (PollingLoop.TryGet(loop, function, types, out var polling))
            {
                Report(context, polling, loop.Syntax.GetFirstToken().GetLocation());
            }
        }

        private static void AnalyzeSpinUntil(OperationAnalysisContext context, KnownTypes types)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (invocation.TargetMethod.Name != "SpinUntil")
            {
                return;
            }

            var function = EnclosingFunction.Of(invocation, context.ContainingSymbol);
            if (PollingLoop.TryGetSpinUntil(invocation, function, types, out var polling))
            {
                Report(context, polling, invocation.Syntax.GetLocation());
            }
        }

        private static void Report(OperationAnalysisContext context, PollingLoop polling, Location location)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                RuleDescriptors.PollingLoop,
                location,
                additionalLocations: new[] { polling.PolledState.Syntax.GetLocation() },
                "'" + polling.StateDisplay + "'",
                polling.Advice));
        }
    }
}
