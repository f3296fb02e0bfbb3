using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC021: a fixed sleep standing in for a wait on work this code started.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SleepAsSynchronizationAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.SleepAsSynchronization);

        private protected override bool IsApplicable(KnownTypes types) => types.Thread is not null || types.Task is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            context.RegisterOperationAction(operationContext => Analyze(operationContext, types), OperationKind.Invocation);

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            // Cheap name check first: only Sleep and Delay calls go on to the flow-sensitive part.
            var invocation = (IInvocationOperation)context.Operation;
            if (invocation.TargetMethod.Name is not ("Sleep" or "Delay") || !SleepCall.TryGet(invocation, types, out var sleep))
            {
                return;
            }

            var finding = SleepAsSynchronization.Find(sleep, context.ContainingSymbol, types, context.CancellationToken);
            if (finding is null)
            {
                return;
            }

            var additional = ImmutableArray.CreateBuilder<Location>();
            foreach (var work in finding.Works)
            {
                additional.Add(work.Start.Syntax.GetLocation());
            }

            context.ReportDiagnostic(Diagnostic.Create(
                RuleDescriptors.SleepAsSynchronization,
                sleep.Expression.Syntax.GetLocation(),
                additional,
                sleep.Display,
                finding.WorkDescription,
                finding.Consequence));
        }
    }
}
