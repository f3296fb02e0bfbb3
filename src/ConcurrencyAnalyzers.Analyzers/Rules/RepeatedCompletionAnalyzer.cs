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
    /// CONC041: a writer completed more than it should be, or by the wrong side.
    /// <list type="bullet">
    /// <item>Complete() reachable after an earlier completion of the same writer in one body, or Complete()
    /// in two members of a type that can both run (Stop and Dispose) with no guard;</item>
    /// <item>a completion inside producer work that runs several times at once (started in a loop, per
    /// item of a Select, a parallel loop body, or two separate producers), or in a producer method the
    /// type starts several times with the same writer;</item>
    /// <item>the consumer completes the writer of the channel it reads, inside its read loop.</item>
    /// </list>
    /// TryComplete is idempotent and never reported as a repeat; completing with the exception a catch
    /// caught (failing the pipeline on purpose) is never reported. CompleteAdding is idempotent too, so
    /// only the producer and consumer shapes apply to BlockingCollection.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RepeatedCompletionAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property set when replacing Complete with TryComplete is the fix.</summary>
        internal const string UseTryCompleteProperty = "UseTryComplete";

        /// <summary>Diagnostic property set when the producers are started in a loop or per item of the reporting body: the fix may move the completion after them.</summary>
        internal const string CompleteAfterProducersProperty = "CompleteAfterProducers";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.RepeatedCompletion);

        private protected override bool IsApplicable(KnownTypes types) => types.HasProducerConsumerTypes;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            ChannelFacts.RegisterPerType(context, types, (blockContext, facts) => ReportInBody(blockContext.ReportDiagnostic, blockContext.OwningSymbol, facts, types), (typeContext, all) => ReportAcrossMembers(typeContext, all, types));

        private static void ReportInBody(System.Action<Diagnostic> report, ISymbol owner, ChannelFacts facts, KnownTypes types)
        {
            var reported = new HashSet<IInvocationOperation>();
            var completions = facts.Completions.ToList();

            // Completed twice on one path.
            foreach (var second in completions.Where(c => c.IsThrowingCompletion && !c.IsBlockingCollection))
            {
                var first = completions.FirstOrDefault(c => !ReferenceEquals(c, second) && ChannelFacts.SameChannel(c, second) && facts.MayRunAfter(c.Invocation, second.Invocation) && !ChannelFacts.IsFreshEachIteration(c, second));
                if (first is not null)
                {
                    report(Diagnostic.Create(
                        RuleDescriptors.RepeatedCompletion,
                        second.Invocation.Syntax.GetLocation(),
                        new[] { first.Invocation.Syntax.GetLocation() },
                        ImmutableDictionary<string, string?>.Empty.Add(UseTryCompleteProperty, "true"),
                        $"'{second.Display}' can already be completed here (line {ChannelFacts.LineOf(first.Invocation)})",
                        "Complete on a completed writer throws InvalidOperationException"));
                    reported.Add(second.Invocation);
                }
            }

            // Completed by each of several producers.
            foreach (var completion in completions)
            {
                if (reported.Contains(completion.Invocation) || completion.Root is null || ChannelFacts.IsFaultPropagation(completion))
                {
                    continue;
                }

                var entry = ConcurrentEntryPoint.Enclosing(completion.Invocation, types);
                if (entry is not null && (StartedWork.IsJoinedOnTheSpot(entry) || !WritesInWork(entry, completion, facts.Operations, types)))
                {
                    continue; // awaited where it starts (one at a time), or not a producer (a watchdog, a timer)
                }

                var reason = entry is null ? AsyncSelectorReason(completion, facts.Operations) : RepeatedProducerReason(entry, completion, completions, facts.Operations, types);
                if (reason is null)
                {
                    continue;
                }

                var properties = entry is not null && reason.StartsWith("which is started once per", System.StringComparison.Ordinal)
                    ? ImmutableDictionary<string, string?>.Empty.Add(CompleteAfterProducersProperty, "true")
                    : ImmutableDictionary<string, string?>.Empty;
                report(Diagnostic.Create(
                    RuleDescriptors.RepeatedCompletion,
                    completion.Invocation.Syntax.GetLocation(),
                    additionalLocations: null,
                    properties,
                    $"'{completion.Display}' is completed by {entry?.Description ?? "the async lambda"}, {reason}",
                    "the first producer to finish cuts off the writes of the others; complete once after all of them finish (await Task.WhenAll)"));
                reported.Add(completion.Invocation);
            }

            // Completed by the consumer.
            foreach (var completion in completions)
            {
                if (reported.Contains(completion.Invocation) || completion.Root is null || ChannelFacts.IsFaultPropagation(completion)
                    || facts.Writes.Any(w => ChannelFacts.SameChannel(w, completion))
                    || ChannelFacts.IsGuardedByState(completion.Invocation))
                {
                    continue;
                }

                var readLoop = EnclosingReadLoop(completion, facts);
                if (readLoop is null)
                {
                    continue;
                }

                report(Diagnostic.Create(
                    RuleDescriptors.RepeatedCompletion,
                    completion.Invocation.Syntax.GetLocation(),
                    $"'{completion.Display}' is completed by the loop that reads the channel (line {ChannelFacts.LineOf(readLoop)})",
                    "producers that are still writing " + (completion.IsBlockingCollection ? "get InvalidOperationException" : "get ChannelClosedException or lose items") + "; let the producing side complete the writer, and stop the consumer with a token or a break"));
            }
        }

        /// <summary>Why the work that completes the writer runs several times at once, or null when it does not.</summary>
        private static string? RepeatedProducerReason(ConcurrentEntryPoint entry, ChannelOperation completion, List<ChannelOperation> completions, ImmutableArray<ChannelOperation> all, KnownTypes types)
        {
            if (entry.RunsManyAtOnce)
            {
                return IsPerIteration(completion, entry.Operation.Syntax) ? null : "which runs for many items at once";
            }

            for (var current = entry.Operation.Parent; current is not null; current = current.Parent)
            {
                if (current is ILoopOperation)
                {
                    return IsPerIteration(completion, current.Syntax) ? null : "which is started once per loop iteration";
                }

                if (current is IAnonymousFunctionOperation lambda && IsPerItemSelector(lambda))
                {
                    return IsPerIteration(completion, lambda.Syntax) ? null : "which is started once per item";
                }

                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    break;
                }
            }

            // Two different producers in the same body, each completing the writer.
            foreach (var other in completions)
            {
                if (!ReferenceEquals(other, completion) && ChannelFacts.SameChannel(other, completion) && !ChannelFacts.IsFaultPropagation(other)
                    && ConcurrentEntryPoint.Enclosing(other.Invocation, types) is { } otherEntry
                    && !ReferenceEquals(otherEntry.Operation.Syntax, entry.Operation.Syntax)
                    && !StartedWork.IsJoinedOnTheSpot(otherEntry)
                    && WritesInWork(otherEntry, other, all, types))
                {
                    return $"and also by the producer at line {ChannelFacts.LineOf(otherEntry.Operation)}";
                }
            }

            return null;
        }

        /// <summary>The started work writes the channel it completes: it is a producer.</summary>
        /// <remarks>Handing the writer to a helper (`Scan(root, writer)`) counts as writing it.</remarks>
        private static bool WritesInWork(ConcurrentEntryPoint entry, ChannelOperation completion, ImmutableArray<ChannelOperation> all, KnownTypes types)
        {
            var work = entry.Work.FirstOrDefault(w => completion.Invocation.IsWithin(w));
            if (work is null)
            {
                return false;
            }

            return all.Any(o => o.Kind == ChannelOperationKind.Write && ChannelFacts.SameChannel(o, completion) && o.Invocation.IsWithin(work))
                || work.DescendantsInSourceOrder().OfType<IInvocationOperation>().Any(call =>
                    !ReferenceEquals(call, completion.Invocation)
                    && call.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(ChannelOperation.RootOf(a.Value, types), completion.Root)));
        }

        /// <summary>`sources.Select(async s => { …; writer.Complete(); })`: one concurrent async call per item.</summary>
        private static string? AsyncSelectorReason(ChannelOperation completion, ImmutableArray<ChannelOperation> all)
        {
            for (var current = completion.Invocation.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation lambda)
                {
                    return lambda.Symbol.IsAsync && IsPerItemSelector(lambda) && !IsDeclaredWithin(completion.Root, lambda.Syntax) && !IsDeclaredWithin(completion.InstanceRoot, lambda.Syntax)
                        && all.Any(o => o.Kind == ChannelOperationKind.Write && ChannelFacts.SameChannel(o, completion) && o.Invocation.IsWithin(lambda))
                        ? "which runs once per item, all at the same time"
                        : null;
                }

                if (current is ILocalFunctionOperation)
                {
                    return null;
                }
            }

            return null;
        }

        private static bool IsPerIteration(ChannelOperation completion, SyntaxNode scope) =>
            IsDeclaredWithin(completion.Root, scope) || IsDeclaredWithin(completion.InstanceRoot, scope);

        /// <summary>A variable declared inside the repeated code is a different channel each time.</summary>
        private static bool IsDeclaredWithin(ISymbol? root, SyntaxNode scope) =>
            root is ILocalSymbol or IParameterSymbol
            && root.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == scope.SyntaxTree && scope.Span.Contains(r.Span));

        /// <summary>A lambda handed to Select/SelectMany/ForEach: it runs once per element.</summary>
        private static bool IsPerItemSelector(IAnonymousFunctionOperation lambda)
        {
            for (var up = lambda.Parent; up is not null; up = up.Parent)
            {
                if (up is IInvocationOperation invocation)
                {
                    return invocation.TargetMethod.Name is "Select" or "SelectMany" or "ForEach";
                }

                if (up is not (IDelegateCreationOperation or IConversionOperation or IArgumentOperation))
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>The loop around the completion, in the same function, that reads the same channel.</summary>
        private static IOperation? EnclosingReadLoop(ChannelOperation completion, ChannelFacts facts)
        {
            for (var current = completion.Invocation.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return null;
                }

                if (current is ILoopOperation loop
                    && facts.Operations.Any(o => o.Kind is ChannelOperationKind.Read or ChannelOperationKind.ReadToEnd
                        && ChannelFacts.SameChannel(o, completion)
                        && o.Invocation.IsWithin(loop)
                        && (o.Kind == ChannelOperationKind.ReadToEnd || !IsInNestedLoop(o.Invocation, loop))))
                {
                    return loop;
                }
            }

            return null;
        }

        private static bool IsInNestedLoop(IOperation operation, IOperation outer)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, outer); current = current.Parent)
            {
                if (current is ILoopOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static void ReportAcrossMembers(SymbolAnalysisContext context, IReadOnlyList<ChannelFacts> all, KnownTypes types)
        {
            var type = (INamedTypeSymbol)context.Symbol;

            // Complete() in a member when another member that can also run completes the writer too, with no guard.
            var unguarded = all
                .Where(f => !ChannelFacts.IsConstruction(f.Member))
                .SelectMany(f => f.Completions.Where(c => !c.IsBlockingCollection && ChannelFacts.IsMemberOf(c.Root, type) && !ChannelFacts.IsFaultPropagation(c) && !IsGuarded(f, c))
                    .Select(c => (Facts: f, Completion: c)))
                .ToList();
            foreach (var (facts, completion) in unguarded.Where(u => u.Completion.IsThrowingCompletion))
            {
                var other = unguarded.FirstOrDefault(o => !ReferenceEquals(o.Facts, facts) && ChannelFacts.SameChannel(o.Completion, completion)
                    && !SymbolEqualityComparer.Default.Equals(o.Facts.Member, facts.Member));
                if (other.Completion is null)
                {
                    continue;
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    RuleDescriptors.RepeatedCompletion,
                    completion.Invocation.Syntax.GetLocation(),
                    new[] { other.Completion.Invocation.Syntax.GetLocation() },
                    ImmutableDictionary<string, string?>.Empty.Add(UseTryCompleteProperty, "true"),
                    $"'{completion.Display}' is completed here in '{facts.Member?.Name}' and also in '{other.Facts.Member?.Name}' (line {ChannelFacts.LineOf(other.Completion.Invocation)})",
                    "when both run and this one comes second, Complete throws InvalidOperationException"));
            }

            // A producer method that completes the writer it is given, started several times with one writer.
            foreach (var producer in all)
            {
                foreach (var completion in producer.Completions)
                {
                    if (completion.Root is not IParameterSymbol parameter || ChannelFacts.IsFaultPropagation(completion)
                        || !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, producer.Member))
                    {
                        continue;
                    }

                    var repeated = RepeatedCall(all, producer.Member!, parameter, types);
                    if (repeated is null)
                    {
                        continue;
                    }

                    context.ReportDiagnostic(Diagnostic.Create(
                        RuleDescriptors.RepeatedCompletion,
                        completion.Invocation.Syntax.GetLocation(),
                        new[] { repeated.Value.Call.Syntax.GetLocation() },
                        $"'{producer.Member!.Name}' completes '{completion.Display}', and {repeated.Value.Reason} (line {ChannelFacts.LineOf(repeated.Value.Call)}) with the same writer",
                        "the first producer to finish cuts off the writes of the others; complete once after all of them finish (await Task.WhenAll)"));
                }
            }
        }

        /// <summary>A call of <paramref name="producer"/> in the type that starts it several times with one writer.</summary>
        private static (IInvocationOperation Call, string Reason)? RepeatedCall(IReadOnlyList<ChannelFacts> all, IMethodSymbol producer, IParameterSymbol parameter, KnownTypes types)
        {
            foreach (var facts in all)
            {
                var calls = facts.Calls.Where(c => SymbolEqualityComparer.Default.Equals(c.TargetMethod.OriginalDefinition, producer.OriginalDefinition)).ToList();
                foreach (var call in calls)
                {
                    var root = WriterArgumentRoot(call, parameter, types);
                    for (var current = call.Parent; current is not null && root is not null; current = current.Parent)
                    {
                        if (current is ILoopOperation && !IsDeclaredWithin(root, current.Syntax))
                        {
                            return (call, $"'{facts.Member?.Name}' starts it once per loop iteration");
                        }

                        if (current is IAnonymousFunctionOperation lambda)
                        {
                            if (IsPerItemSelector(lambda) && !IsDeclaredWithin(root, lambda.Syntax))
                            {
                                return (call, $"'{facts.Member?.Name}' starts it once per item");
                            }

                            break;
                        }
                    }
                }

                // Two calls handed the same writer, the first not awaited before the second starts.
                var withRoots = calls
                    .Select(c => (Call: c, Root: WriterArgumentRoot(c, parameter, types)))
                    .Where(c => c.Root is not null)
                    .ToList();
                for (var i = 1; i < withRoots.Count; i++)
                {
                    if (withRoots.Take(i).Any(earlier => SymbolEqualityComparer.Default.Equals(earlier.Root, withRoots[i].Root) && !StartedWork.IsJoinedOnTheSpot(earlier.Call.WalkUpConversions(out _))))
                    {
                        return (withRoots[i].Call, $"'{facts.Member?.Name}' starts it more than once");
                    }
                }
            }

            return null;
        }

        private static ISymbol? WriterArgumentRoot(IInvocationOperation call, IParameterSymbol parameter, KnownTypes types) =>
            call.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition))?.Value is { } value
                ? ChannelOperation.RootOf(value, types)
                : null;

        /// <summary>
        /// A completion behind a check of the type's state (`if (_stopped) return;`, Interlocked.Exchange on
        /// a flag): the author made sure it runs once.
        /// </summary>
        private static bool IsGuarded(ChannelFacts facts, ChannelOperation completion)
        {
            foreach (var operation in facts.Root.DescendantsInSourceOrder())
            {
                if (operation.Syntax.SpanStart >= completion.Invocation.Syntax.SpanStart)
                {
                    break;
                }

                if (operation is IConditionalOperation conditional
                    && conditional.Condition.DescendantsAndSelf().Any(o => o is IFieldReferenceOperation or IInvocationOperation { TargetMethod.ContainingType.Name: "Interlocked" } or IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" or "IsAddingCompleted" }))
                {
                    return true;
                }

                if (operation is IInvocationOperation { TargetMethod.ContainingType.Name: "Interlocked" } || operation is ILockOperation)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
