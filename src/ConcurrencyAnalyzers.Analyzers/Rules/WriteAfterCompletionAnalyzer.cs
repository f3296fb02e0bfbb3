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
    /// CONC040: a write to a channel writer (or a BlockingCollection add) that can run after the writer
    /// was completed. Four shapes:
    /// <list type="bullet">
    /// <item>in one body: the write is reachable from the completion (straight on, a later loop
    /// iteration, after the catch that completed it, or in a lambda created afterwards);</item>
    /// <item>producer work started in the body writes while the body completes the writer without
    /// waiting for the work first;</item>
    /// <item>a helper of the type that writes is called after the completion;</item>
    /// <item>a writer field completed in one member and written in another that can run later
    /// (Stop/Publish), where the write does not cope with a completed writer.</item>
    /// </list>
    /// Writes that cope with completion by themselves (TryWrite's result checked, a catch of
    /// ChannelClosedException) are never reported.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class WriteAfterCompletionAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property set when moving the completion after the last write is the fix.</summary>
        internal const string MoveCompletionProperty = "MoveCompletion";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.WriteAfterCompletion);

        private protected override bool IsApplicable(KnownTypes types) => types.HasProducerConsumerTypes;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types) =>
            ChannelFacts.RegisterPerType(context, types, (blockContext, facts) => ReportInBody(blockContext, facts, types), (typeContext, all) => ReportAcrossMembers(typeContext, all, types));

        private static void ReportInBody(OperationBlockAnalysisContext context, ChannelFacts facts, KnownTypes types)
        {
            var reported = new HashSet<IInvocationOperation>();
            foreach (var write in facts.Writes)
            {
                if (write.Root is null || write.HandlesCompletion(types))
                {
                    continue;
                }

                foreach (var completion in facts.Completions)
                {
                    if (ChannelFacts.SameChannel(write, completion) && facts.MayRunAfter(completion.Invocation, write.Invocation) && !ChannelFacts.IsFreshEachIteration(completion, write)
                        && !IsSelfFeeding(write, completion, facts) && !ChannelFacts.IsReassignedBetween(completion, write, facts.Root))
                    {
                        var story = $"'{write.Display}' is completed at line {ChannelFacts.LineOf(completion.Invocation)} and written here afterwards";
                        context.ReportDiagnostic(Diagnostic.Create(
                            RuleDescriptors.WriteAfterCompletion,
                            write.Invocation.Syntax.GetLocation(),
                            new[] { completion.Invocation.Syntax.GetLocation() },
                            ImmutableDictionary<string, string?>.Empty.Add(MoveCompletionProperty, "true"),
                            story,
                            ChannelFacts.Consequence(write)));
                        reported.Add(write.Invocation);
                        break;
                    }
                }
            }

            ReportCompletionBeforeProducersFinish(context, facts, types, reported);
        }

        /// <summary>
        /// `Task.Run(async () => { … await writer.WriteAsync(x); })` followed by `writer.Complete()` with no
        /// wait for the task in between: the completion races the producer's writes.
        /// </summary>
        private static void ReportCompletionBeforeProducersFinish(OperationBlockAnalysisContext context, ChannelFacts facts, KnownTypes types, HashSet<IInvocationOperation> reported)
        {
            var startedByBody = new Dictionary<IOperation, ImmutableArray<StartedWork>>();
            foreach (var operation in facts.Root.DescendantsInSourceOrder())
            {
                if (operation is not (IInvocationOperation or IObjectCreationOperation)
                    || !ConcurrentEntryPoint.TryGet(operation, types, out var entry)
                    || !entry.OutlivesStart
                    || entry.Work.IsEmpty)
                {
                    continue;
                }

                var function = EnclosingFunction.Of(operation, context.OwningSymbol).Body;
                if (!startedByBody.TryGetValue(function, out var started))
                {
                    started = StartedWork.Collect(function, types);
                    startedByBody[function] = started;
                }

                var work = started.FirstOrDefault(s => ReferenceEquals(s.Entry.Operation, operation));
                if (work is null)
                {
                    continue; // awaited where it starts
                }

                if (work.Handle is null && work.Collection is null && !IsDiscarded(work.Start))
                {
                    continue; // kept somewhere the model does not follow (an array, WhenAll's arguments): it may well be awaited
                }

                var joins = work.FindJoins(function);
                foreach (var write in facts.Writes)
                {
                    if (reported.Contains(write.Invocation) || write.Root is null || write.HandlesCompletion(types) || !entry.Work.Any(w => write.Invocation.IsWithin(w)))
                    {
                        continue;
                    }

                    var completion = facts.Completions.FirstOrDefault(c =>
                        ChannelFacts.SameChannel(c, write)
                        && ReferenceEquals(EnclosingFunction.Of(c.Invocation, context.OwningSymbol).Body, function)
                        && facts.MayRunAfter(work.Start, c.Invocation)
                        && !joins.Any(j => j.Syntax.SpanStart > work.Start.Syntax.SpanStart && j.Syntax.SpanStart < c.Invocation.Syntax.SpanStart));
                    if (completion is null)
                    {
                        continue;
                    }

                    var story = $"'{completion.Display}' is completed at line {ChannelFacts.LineOf(completion.Invocation)} without waiting for {entry.Description} started at line {ChannelFacts.LineOf(work.Start)}, which writes it here";
                    context.ReportDiagnostic(Diagnostic.Create(
                        RuleDescriptors.WriteAfterCompletion,
                        write.Invocation.Syntax.GetLocation(),
                        new[] { completion.Invocation.Syntax.GetLocation() },
                        story,
                        ChannelFacts.Consequence(write)));
                    reported.Add(write.Invocation);
                }
            }
        }

        private static void ReportAcrossMembers(SymbolAnalysisContext context, IReadOnlyList<ChannelFacts> all, KnownTypes types)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var reported = new HashSet<IInvocationOperation>();

            // A helper of the type that writes, called after the completion.
            foreach (var facts in all)
            {
                foreach (var completion in facts.Completions.Where(c => c.Root is not null))
                {
                    foreach (var call in facts.Calls)
                    {
                        if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType.OriginalDefinition, type.OriginalDefinition)
                            || !facts.MayRunAfter(completion.Invocation, call)
                            || reported.Contains(call))
                        {
                            continue;
                        }

                        var write = all
                            .Where(f => SymbolEqualityComparer.Default.Equals(f.Member, call.TargetMethod.OriginalDefinition))
                            .SelectMany(f => f.Writes)
                            .FirstOrDefault(w => !w.HandlesCompletion(types) && WritesTheSameChannel(w, call, completion, type, types));
                        if (write is null)
                        {
                            continue;
                        }

                        var story = $"'{call.TargetMethod.Name}' writes to '{write.Display}' (line {ChannelFacts.LineOf(write.Invocation)}) and is called here after '{completion.Display}' is completed at line {ChannelFacts.LineOf(completion.Invocation)}";
                        context.ReportDiagnostic(Diagnostic.Create(
                            RuleDescriptors.WriteAfterCompletion,
                            call.Syntax.GetLocation(),
                            new[] { completion.Invocation.Syntax.GetLocation(), write.Invocation.Syntax.GetLocation() },
                            story,
                            ChannelFacts.Consequence(write)));
                        reported.Add(call);
                        reported.Add(write.Invocation);
                    }
                }
            }

            // A writer field completed in one member and written in another.
            foreach (var facts in all)
            {
                foreach (var write in facts.Writes)
                {
                    if ((ChannelFacts.IsConstruction(facts.Member) && !IsInNestedFunction(write.Invocation))
                        || IsOnlyCalledBeforeCompletion(facts.Member, write, all, type, context.CancellationToken)
                        || !ChannelFacts.IsMemberOf(write.Root, type) || write.HandlesCompletion(types) || reported.Contains(write.Invocation)
                        || ChannelFacts.IsGuardedByState(write.Invocation)
                        || facts.Completions.Any(c => ChannelFacts.SameChannel(c, write)))
                    {
                        // The member that completes the writer itself owns its lifetime; its own order is checked above.
                        continue;
                    }

                    var writeLocks = HeldLocks.At(write.Invocation, facts.Root, types);
                    var completion = all
                        .Where(f => !ReferenceEquals(f, facts) && !ChannelFacts.IsConstruction(f.Member))
                        .SelectMany(f => f.Completions.Where(c => ChannelFacts.SameChannel(c, write)).Select(c => (Facts: f, Completion: c)))
                        .FirstOrDefault(c =>
                            (write.MethodName == "TryWrite" || !IsDisposal(c.Facts.Member))
                            && !WaitsBefore(c.Facts, c.Completion)
                            && !HeldLocks.At(c.Completion.Invocation, c.Facts.Root, types).Any(l => writeLocks.Contains(l)));
                    if (completion.Completion is null)
                    {
                        continue;
                    }

                    var story = $"'{completion.Completion.Display}' is completed in '{completion.Facts.Member?.Name}' (line {ChannelFacts.LineOf(completion.Completion.Invocation)}) and written here in '{facts.Member?.Name}', which can run afterwards";
                    context.ReportDiagnostic(Diagnostic.Create(
                        RuleDescriptors.WriteAfterCompletion,
                        write.Invocation.Syntax.GetLocation(),
                        new[] { completion.Completion.Invocation.Syntax.GetLocation() },
                        story,
                        ChannelFacts.Consequence(write)));
                }
            }
        }

        /// <summary>
        /// A write in a helper reaches the completed channel: both name the same field of the type, or the
        /// helper writes to its parameter and the call passes the completed writer for it.
        /// </summary>
        private static bool WritesTheSameChannel(ChannelOperation write, IInvocationOperation call, ChannelOperation completion, INamedTypeSymbol type, KnownTypes types)
        {
            if (ChannelFacts.IsMemberOf(completion.Root, type))
            {
                return ChannelFacts.SameChannel(write, completion);
            }

            if (write.Root is not IParameterSymbol parameter || write.IsBlockingCollection != completion.IsBlockingCollection)
            {
                return false;
            }

            var argument = call.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition));
            return argument is not null && SymbolEqualityComparer.Default.Equals(ChannelOperation.RootOf(argument.Value, types), completion.Root);
        }

        private static bool IsDiscarded(IOperation start)
        {
            var parent = start.WalkUpConversions(out var child);
            return parent is IExpressionStatementOperation
                || (parent is ISimpleAssignmentOperation { Target: IDiscardOperation } discard && ReferenceEquals(discard.Value, child));
        }

        private static bool IsInNestedFunction(IOperation operation)
        {
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A consumer that feeds its own channel (a crawler queueing the links it finds) and completes it
        /// inside the read loop when the work runs out: the loop's next round only runs if more was read.
        /// </summary>
        private static bool IsSelfFeeding(ChannelOperation write, ChannelOperation completion, ChannelFacts facts)
        {
            for (var current = completion.Invocation.Parent; current is not null; current = current.Parent)
            {
                if (current is ILoopOperation loop && write.Invocation.IsWithin(loop)
                    && facts.Operations.Any(o => o.Kind is ChannelOperationKind.Read or ChannelOperationKind.ReadToEnd && ChannelFacts.SameChannel(o, completion) && o.Invocation.IsWithin(loop)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A private helper whose every use in the type is a call from a member that completes the same
        /// writer, made before that completion: it writes before the completion, by construction. (A call
        /// after the completion is reported at the call.)
        /// </summary>
        private static bool IsOnlyCalledBeforeCompletion(IMethodSymbol? helper, ChannelOperation write, IReadOnlyList<ChannelFacts> all, INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken)
        {
            if (helper is null || helper.DeclaredAccessibility != Accessibility.Private || helper.MethodKind != MethodKind.Ordinary)
            {
                return false;
            }

            var uses = 0;
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                foreach (var token in reference.GetSyntax(cancellationToken).DescendantTokens())
                {
                    if (!token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) || token.ValueText != helper.Name || token.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax)
                    {
                        continue;
                    }

                    uses++;
                    var caller = all.FirstOrDefault(f => f.Root.Syntax.SyntaxTree == token.SyntaxTree && f.Root.Syntax.Span.Contains(token.Span));
                    var call = caller?.Calls.FirstOrDefault(c => c.Syntax.Span.Contains(token.Span) && SymbolEqualityComparer.Default.Equals(c.TargetMethod.OriginalDefinition, helper.OriginalDefinition));
                    if (caller is null || call is null
                        || !caller.Completions.Any(c => ChannelFacts.SameChannel(c, write) && caller.MayRunAfter(call, c.Invocation) && !caller.MayRunAfter(c.Invocation, call)))
                    {
                        return false;
                    }
                }
            }

            return uses > 0;
        }

        /// <summary>Writing to a disposed object throwing is its contract, not a bug of the write.</summary>
        private static bool IsDisposal(IMethodSymbol? member) => member?.Name is "Dispose" or "DisposeAsync" or "Finalize";

        /// <summary>
        /// The completing member waits for something first (awaits a task, joins a thread): usually the
        /// producers it is about to cut off, so their writes are over by the time it completes.
        /// </summary>
        private static bool WaitsBefore(ChannelFacts facts, ChannelOperation completion)
        {
            foreach (var operation in facts.Root.DescendantsInSourceOrder())
            {
                if (operation.Syntax.SpanStart >= completion.Invocation.Syntax.SpanStart)
                {
                    break;
                }

                if (operation is IAwaitOperation || operation is IInvocationOperation { TargetMethod.Name: "Wait" or "WaitAll" or "Join" })
                {
                    return true;
                }
            }

            return false;
        }
    }
}
