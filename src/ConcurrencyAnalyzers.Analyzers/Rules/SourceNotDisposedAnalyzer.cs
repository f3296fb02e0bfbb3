using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC013: a CancellationTokenSource created in a method and neither disposed nor handed off. A
    /// Warning when it holds a timer or registrations (a timeout, CancelAfter, CreateLinkedTokenSource), a
    /// suggestion (Info) for a plain source.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SourceNotDisposedAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.SourceNotDisposed, RuleDescriptors.PlainSourceNotDisposed);

        private protected override bool IsApplicable(KnownTypes types) => types.CancellationTokenSource is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            context.RegisterOperationAction(operationContext => Analyze(operationContext, types), OperationKind.ObjectCreation, OperationKind.Invocation);

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            var creation = context.Operation;
            if (!SourceDisposal.IsCreation(creation, types))
            {
                return;
            }

            var fate = SourceDisposal.FateOf(creation, out var local);
            if (fate == SourceFate.Owned)
            {
                return;
            }

            var holdsResources = SourceDisposal.HoldsResources(creation, local, creation.Root());
            var what = creation switch
            {
                IInvocationOperation => "stays registered with the tokens it links",
                IObjectCreationOperation { Arguments.Length: > 0 } => "keeps its timeout timer",
                _ when holdsResources => "keeps its CancelAfter timer",
                _ => "is created here",
            };
            var name = local is null ? "This CancellationTokenSource" : "'" + local.Name + "'";
            context.ReportDiagnostic(Diagnostic.Create(
                holdsResources ? RuleDescriptors.SourceNotDisposed : RuleDescriptors.PlainSourceNotDisposed,
                creation.Syntax.GetLocation(),
                name,
                what));
        }
    }
}
