using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC010: work started and dropped with no token that could stop it (`Task.Run(...);`,
    /// `_ = PumpAsync()`), and async lambdas passed where a void delegate is expected (async void).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FireAndForgetAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.FireAndForget, RuleDescriptors.AsyncVoidLambda);

        private protected override bool IsApplicable(KnownTypes types) => types.Task is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationAction(operationContext => AnalyzeCall(operationContext, types), OperationKind.Invocation);
            context.RegisterOperationAction(AnalyzeLambda, OperationKind.AnonymousFunction);
        }

        private static void AnalyzeCall(OperationAnalysisContext context, KnownTypes types)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (!DroppedTask.IsDroppedStart(invocation, types, out var description) || DroppedTask.ReceivesToken(invocation, types))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.FireAndForget, invocation.Syntax.GetLocation(), "The " + description));
        }

        private static void AnalyzeLambda(OperationAnalysisContext context)
        {
            var lambda = (IAnonymousFunctionOperation)context.Operation;
            if (!lambda.Symbol.IsAsync || !lambda.Symbol.ReturnsVoid)
            {
                return;
            }

            // lambda -> delegate creation -> (conversion) -> argument
            var creation = lambda.Parent as IDelegateCreationOperation;
            if (creation?.WalkUpConversions(out _) is not IArgumentOperation { Parameter: { } parameter } argument || argument.Parent is not (IInvocationOperation or IObjectCreationOperation))
            {
                return;
            }

            // Event handlers are async void by design; passing one to an Add method is the event pattern.
            if (IsEventHandler(creation.Type))
            {
                return;
            }

            var callee = argument.Parent switch
            {
                IInvocationOperation invocation => invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name,
                IObjectCreationOperation objectCreation => "new " + objectCreation.Type?.Name,
                _ => "?",
            };
            var delegateName = creation.Type?.Name ?? parameter.Type.Name;
            var location = lambda.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax { AsyncKeyword.RawKind: not 0 } function
                ? function.AsyncKeyword.GetLocation()
                : lambda.Syntax.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(
                RuleDescriptors.AsyncVoidLambda,
                location,
                "the " + delegateName + " '" + parameter.Name + "' of " + callee));
        }

        private static bool IsEventHandler(ITypeSymbol? type)
        {
            if (type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke } named)
            {
                return false;
            }

            if (named.Name is "EventHandler" or "RoutedEventHandler")
            {
                return true;
            }

            // (object sender, SomethingEventArgs e)
            return invoke.Parameters.Length == 2
                && invoke.Parameters[0].Type.SpecialType == SpecialType.System_Object
                && invoke.Parameters[1].Type.Name.EndsWith("EventArgs", System.StringComparison.Ordinal);
        }
    }
}
