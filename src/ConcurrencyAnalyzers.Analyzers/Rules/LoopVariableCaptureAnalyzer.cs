using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC004: a `for` loop variable captured by a delegate that runs concurrently or later — the work of
    /// Task.Run, a thread, the thread pool, a timer or a continuation that is not awaited on the spot, or a
    /// delegate stored away (added to a list, assigned to a field or array, subscribed to an event).
    /// `foreach` variables are new on every iteration and are fine.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LoopVariableCaptureAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.LoopVariableCapture);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            context.RegisterOperationAction(operationContext => Analyze(operationContext, types), OperationKind.Loop);

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            if (context.Operation is not IForLoopOperation loop || loop.Locals.IsEmpty)
            {
                return;
            }

            foreach (var capture in Find(loop, types))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    RuleDescriptors.LoopVariableCapture,
                    capture.Reference.Syntax.GetLocation(),
                    capture.Reference.Local.Name,
                    capture.Deferral));
            }
        }

        internal sealed class Capture
        {
            public Capture(ILocalReferenceOperation reference, IAnonymousFunctionOperation lambda, string deferral)
            {
                Reference = reference;
                Lambda = lambda;
                Deferral = deferral;
            }

            /// <summary>The first use of the loop variable inside the delegate.</summary>
            public ILocalReferenceOperation Reference { get; }

            public IAnonymousFunctionOperation Lambda { get; }

            /// <summary>How the message says when the delegate runs ("the Task.Run work").</summary>
            public string Deferral { get; }
        }

        internal static IEnumerable<Capture> Find(IForLoopOperation loop, KnownTypes types)
        {
            // The loop's own variables, the ones its increment step changes.
            var variables = loop.Locals.Where(local => loop.AtLoopBottom.Any(step => Writes(step, local))).ToImmutableArray();
            if (variables.IsEmpty)
            {
                yield break;
            }

            var reported = new List<IAnonymousFunctionOperation>();
            foreach (var operation in loop.Body.DescendantsInSourceOrder())
            {
                // A lambda inside one already reported shares its capture: one report is enough.
                if (operation is not IAnonymousFunctionOperation lambda || reported.Any(outer => lambda.IsWithin(outer)))
                {
                    continue;
                }

                var reference = lambda.Body.DescendantsInSourceOrder().OfType<ILocalReferenceOperation>()
                    .FirstOrDefault(r => variables.Contains(r.Local, SymbolEqualityComparer.Default));
                if (reference is null)
                {
                    continue;
                }

                var deferral = Deferral(lambda, types);
                if (deferral is not null && !IsWaitedForInIteration(lambda, loop, types))
                {
                    reported.Add(lambda);
                    yield return new Capture(reference, lambda, deferral);
                }
            }
        }

        /// <summary>
        /// Work waited for before the iteration ends (`var t = Task.Run(…); t.Wait();`, or started inside the
        /// awaited `Task.WhenAll(…)`) sees the variable while the iteration still holds its value.
        /// </summary>
        private static bool IsWaitedForInIteration(IAnonymousFunctionOperation lambda, IForLoopOperation loop, KnownTypes types)
        {
            foreach (var work in StartedWork.Collect(loop.Body, types))
            {
                if (!work.Entry.Work.Contains(lambda))
                {
                    continue;
                }

                if (work.Handle is not null)
                {
                    return work.FindJoins(loop.Body).Any(j => j.Syntax.SpanStart > work.Start.Syntax.SpanStart);
                }

                // Started inline in the WhenAll/WaitAll that waits for it.
                for (var current = work.Entry.Operation.Parent; current is not null && !ReferenceEquals(current, loop.Body); current = current.Parent)
                {
                    if (current is IInvocationOperation { TargetMethod.Name: "WhenAll" or "WaitAll" } waitAll
                        && (waitAll.WalkUpConversions(out _) is IAwaitOperation || waitAll.TargetMethod.Name == "WaitAll"))
                    {
                        return true;
                    }
                }

                return false;
            }

            return false;
        }

        private static bool Writes(IOperation step, ILocalSymbol local) =>
            step.DescendantsInSourceOrder().Prepend(step).Any(o => o is ILocalReferenceOperation reference
                && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                && reference.IsWriteTarget());

        /// <summary>When the delegate runs, if later than now: null for delegates run right away.</summary>
        private static string? Deferral(IAnonymousFunctionOperation lambda, KnownTypes types)
        {
            var up = lambda.Parent;
            while (up is IDelegateCreationOperation or IConversionOperation)
            {
                up = up.Parent;
            }

            switch (up)
            {
                case IArgumentOperation { Parent: { } call }:
                    if (ConcurrentEntryPoint.TryGet(call, types, out var entry) && entry.OutlivesStart && !StartedWork.IsJoinedOnTheSpot(entry))
                    {
                        return RaceAnalysis.Name(entry);
                    }

                    return call is IInvocationOperation { TargetMethod.Name: "Add" or "Enqueue" or "Push" or "Insert" } ? "a delegate stored for later" : null;
                case IEventAssignmentOperation:
                    return "an event handler";
                case ISimpleAssignmentOperation assignment when assignment.Target.WalkDownConversions() is IFieldReferenceOperation or IArrayElementReferenceOperation or IPropertyReferenceOperation:
                    return "a delegate stored for later";
                default:
                    return null;
            }
        }
    }
}
