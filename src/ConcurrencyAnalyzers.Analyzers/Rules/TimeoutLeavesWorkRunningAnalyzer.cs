using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC014: `Task.WhenAny(work, Task.Delay(timeout))` as a timeout, where the work this function started
    /// is not cancelled afterwards (see <see cref="WhenAnyTimeout.LeavesWorkRunning"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TimeoutLeavesWorkRunningAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.TimeoutLeavesWorkRunning);

        private protected override bool IsApplicable(KnownTypes types) => types.Task is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            context.RegisterOperationAction(operationContext => Analyze(operationContext, types), OperationKind.Invocation);

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (invocation.TargetMethod.Name != "WhenAny"
                || !WhenAnyTimeout.TryGet(invocation, types, out var timeout)
                || !timeout.LeavesWorkRunning(types))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.TimeoutLeavesWorkRunning, invocation.Syntax.GetLocation(), timeout.WorkDescription));
        }
    }
}
