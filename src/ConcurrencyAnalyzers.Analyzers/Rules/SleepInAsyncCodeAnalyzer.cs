using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC020: Thread.Sleep inside async code blocks a pool thread for the whole pause.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SleepInAsyncCodeAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.SleepInAsyncCode);

        private protected override bool IsApplicable(KnownTypes types) => types.Thread is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            context.RegisterOperationAction(operationContext => Analyze(operationContext, types), OperationKind.Invocation);

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (invocation.TargetMethod.Name != "Sleep"
                || !SleepCall.TryGet(invocation, types, out var sleep)
                || sleep.Kind != SleepKind.ThreadSleep
                || sleep.IsYield)
            {
                return;
            }

            var function = EnclosingFunction.Of(invocation, context.ContainingSymbol);
            if (!function.IsAsyncContext(types))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.SleepInAsyncCode, invocation.Syntax.GetLocation(), FunctionName(function)));
        }

        private static string FunctionName(EnclosingFunction function)
        {
            if (function.FunctionOperation is IAnonymousFunctionOperation || function.Symbol is null)
            {
                return function.IsAsync ? "an async lambda" : "a task-returning lambda";
            }

            return (function.IsAsync ? "async method '" : "task-returning method '") + function.Symbol.Name + "'";
        }

        /// <summary>
        /// Whether the code fix can turn this sleep into `await Task.Delay(…)`: the function must be async
        /// and the sleep must not be where an await is not allowed (inside a lock statement).
        /// </summary>
        internal static bool CanAwaitAt(IOperation operation, EnclosingFunction function)
        {
            if (!function.IsAsync)
            {
                return false;
            }

            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, function.Body); current = current.Parent)
            {
                if (current is ILockOperation)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
