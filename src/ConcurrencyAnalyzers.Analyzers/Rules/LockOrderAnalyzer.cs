using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC030: two locks taken in opposite orders somewhere in the compilation (a cycle of any length in
    /// the lock-order graph), nested directly or through calls, across types and files. The graph is a
    /// whole-compilation fact: each method contributes its edges as it is analysed, and the cycles are
    /// reported at the compilation's end. The same lock taken on two instances in a row
    /// (`lock (from._sync) lock (to._sync)`) depends on the callers' argument order; that is reported at
    /// once, per method, at a lower severity.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LockOrderAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property: present when swapping the two nested `lock` statements here restores the dominant order.</summary>
        internal const string SwapProperty = "Swap";

        /// <summary>Writes the lock-order graph to this file at the end of each build (Mermaid, or Graphviz for .dot/.gv).</summary>
        internal const string GraphFileOption = "dotnet_code_quality.CONC030.lock_graph_file";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.LockOrder, RuleDescriptors.LockOrderByArguments);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            var summaries = new LockSummaries(context.Compilation, types);
            var edges = new ConcurrentBag<LockOrderEdge>();
            context.RegisterOperationBlockAction(blockContext =>
            {
                if (blockContext.OwningSymbol is not IMethodSymbol method || !MayHoldLocks(blockContext.OperationBlocks))
                {
                    return;
                }

                foreach (var block in blockContext.OperationBlocks)
                {
                    if (block.SemanticModel is { } model)
                    {
                        summaries.Remember(model);
                    }

                    Collect(block, method, summaries, edges, blockContext.ReportDiagnostic, blockContext.CancellationToken);
                }
            });
            context.RegisterCompilationEndAction(endContext =>
            {
                var graph = new LockOrderGraph(edges);
                foreach (var edge in graph.Edges)
                {
                    if (graph.IsOnCycle(edge))
                    {
                        endContext.ReportDiagnostic(Describe(graph, edge));
                    }
                }

                LockGraphFile.Write(graph, endContext);
            });
        }

        private static bool MayHoldLocks(ImmutableArray<IOperation> blocks)
        {
            foreach (var block in blocks)
            {
                if (LockSyntax.MayTakeLocks(block.Syntax))
                {
                    return true;
                }
            }

            return false;
        }

        private static void Collect(IOperation body, IMethodSymbol method, LockSummaries summaries, ConcurrentBag<LockOrderEdge> edges,
            System.Action<Diagnostic> report, System.Threading.CancellationToken cancellationToken)
        {
            var types = summaries.Types;
            summaries.Walk(body, includeNestedFunctions: true,
                onAcquire: (acquisition, function) =>
                {
                    if (!acquisition.WaitsIndefinitely || LockNode.Of(acquisition.Lock) is not { } inner)
                    {
                        return;
                    }

                    foreach (var held in HeldLocks.At(acquisition.Operation, function, types))
                    {
                        if (LockNode.Of(held) is not { } outer || IsUnpublished(held, method))
                        {
                            continue;
                        }

                        if (outer.Equals(inner))
                        {
                            ReportIfTwoInstances(held, LockNode.ReceiverOf(held), acquisition.Lock, LockNode.ReceiverOf(acquisition.Lock), acquisition.Operation, acquisition.Site.GetLocation(), report);
                            continue;
                        }

                        edges.Add(new LockOrderEdge(outer, inner, acquisition.Site.GetLocation(), method, ImmutableArray<IMethodSymbol>.Empty, IsSwappable(acquisition, held),
                            held.LockedValue?.Syntax.ToString()));
                    }
                },
                onCall: (call, function) =>
                {
                    var heldLocks = HeldLocks.At(call, function, types);
                    if (heldLocks.IsEmpty)
                    {
                        return;
                    }

                    // A task nobody waits for leaves its locks after its first await to whoever runs it later.
                    var waited = call.IsAwaitedOrBlockedOn();
                    var steps = summaries.StepsOf(call.TargetMethod, cancellationToken).Where(s => waited || !s.AfterAwait).ToList();
                    foreach (var held in heldLocks)
                    {
                        if (LockNode.Of(held) is not { } outer || IsUnpublished(held, method))
                        {
                            continue;
                        }

                        // One edge per lock the callee takes, at the first way it takes it.
                        var seen = new HashSet<LockNode>();
                        foreach (var step in steps)
                        {
                            if (!step.WaitsIndefinitely || !seen.Add(step.Node))
                            {
                                continue;
                            }

                            if (outer.Equals(step.Node))
                            {
                                ReportIfTwoInstances(held, LockNode.ReceiverOf(held), step.Lock, LockSummaries.ReceiverInCaller(call, step.Receiver), call, call.Syntax.GetLocation(), report);
                                continue;
                            }

                            edges.Add(new LockOrderEdge(outer, step.Node, call.Syntax.GetLocation(), method, step.Path, swappable: false));
                        }
                    }
                });
        }

        /// <summary>In a constructor, the object's own locks: no other thread can hold them yet, so they order nothing.</summary>
        private static bool IsUnpublished(LockIdentity held, IMethodSymbol method) =>
            method.MethodKind == MethodKind.Constructor && LockNode.ReceiverOf(held) == LockNode.This;

        /// <summary>
        /// `lock (a._sync) { lock (b._sync) { … } }`: one lock field, two objects. Taken again on the same object
        /// it is re-entrant and harmless; on objects the code put in a stable order first it is the fix; when
        /// the code does not say which object either one is, stay quiet.
        /// </summary>
        private static void ReportIfTwoInstances(LockIdentity held, string? heldReceiver, LockIdentity taken, string? takenReceiver, IOperation site, Location location, System.Action<Diagnostic> report)
        {
            if (heldReceiver is null || takenReceiver is null || heldReceiver == takenReceiver || heldReceiver == LockNode.Static || takenReceiver == LockNode.Static
                || IsOrdered(held.LockedValue) || IsOrdered(taken.LockedValue) || IsInsideComparison(site))
            {
                return;
            }

            report(Diagnostic.Create(RuleDescriptors.LockOrderByArguments, location, Describe(held), Describe(taken)));
        }

        private static string Describe(LockIdentity lockIdentity) => lockIdentity.LockedValue?.Syntax.ToString() ?? lockIdentity.Display;

        /// <summary>The object was picked by a comparison (`var first = a.Id &lt; b.Id ? a : b;`): the order is stable.</summary>
        private static bool IsOrdered(IOperation? lockedValue)
        {
            var receiver = lockedValue switch
            {
                IFieldReferenceOperation field => field.Instance,
                IPropertyReferenceOperation property => property.Instance,
                _ => lockedValue,
            };

            if (receiver?.WalkDownConversions() is not ILocalReferenceOperation { Local: var local } || local.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            var declaration = local.DeclaringSyntaxReferences[0].GetSyntax();
            var statement = declaration.FirstAncestorOrSelf<StatementSyntax>();
            return statement is not null && statement.DescendantNodes().Any(n => n is ConditionalExpressionSyntax);
        }

        /// <summary>`if (a.Id &lt; b.Id) { lock (a) lock (b) } else { lock (b) lock (a) }` orders by a key.</summary>
        private static bool IsInsideComparison(IOperation site)
        {
            for (var current = site.Parent; current is not null; current = current.Parent)
            {
                if (current is IConditionalOperation { Condition: var condition }
                    && condition.DescendantsInSameFunction().Prepend(condition).Any(o =>
                        o is IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual }
                        || o is IInvocationOperation { TargetMethod.Name: "CompareTo" or "Compare" or "CompareOrdinal" }))
                {
                    return true;
                }

                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    break;
                }
            }

            return false;
        }

        /// <summary>`lock (outer) { lock (inner) … }` with the inner statement the outer one's only statement.</summary>
        private static bool IsSwappable(LockAcquisition acquisition, LockIdentity held)
        {
            if (acquisition.Operation is not ILockOperation inner)
            {
                return false;
            }

            var parent = inner.Parent;
            if (parent is IBlockOperation { Operations.Length: 1 } block)
            {
                parent = block.Parent;
            }

            return parent is ILockOperation outer
                && LockIdentity.Of(outer.LockedValue, LockKind.Monitor) is { } outerLock
                && outerLock.Equals(held);
        }

        private static Diagnostic Describe(LockOrderGraph graph, LockOrderEdge edge)
        {
            var back = graph.PathBack(edge);
            var story = "'" + edge.From.Display + "' then '" + edge.To.Display + "' here"
                + (edge.Via.IsEmpty ? string.Empty : " (taken in '" + string.Join("' -> '", edge.Via.Select(m => m.Name)) + "')")
                + string.Concat(back.Select(step => "; '" + step.From.Display + "' then '" + step.To.Display + "' " + step.Where()));
            var properties = edge.Swappable && back.Length == 1 && !graph.IsDominant(edge)
                ? ImmutableDictionary<string, string?>.Empty.Add(SwapProperty, edge.OuterText)
                : ImmutableDictionary<string, string?>.Empty;
            return Diagnostic.Create(RuleDescriptors.LockOrder, edge.Site, back.Select(step => step.Site), properties, story);
        }

        /// <summary>
        /// The opt-in picture of the graph: `dotnet_code_quality.CONC030.lock_graph_file = locks.md` writes the
        /// graph at the end of every build, as Mermaid (in a ```mermaid block for .md) or as Graphviz for .dot
        /// and .gv. A relative path is taken from the project's folder.
        /// </summary>
        private static class LockGraphFile
        {
            public static void Write(LockOrderGraph graph, CompilationAnalysisContext context)
            {
                var tree = context.Compilation.SyntaxTrees.FirstOrDefault();
                var options = tree is null ? context.Options.AnalyzerConfigOptionsProvider.GlobalOptions : context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree);
                if (!options.TryGetValue(GraphFileOption, out var path) && !context.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(GraphFileOption, out path))
                {
                    return;
                }

                path = path.Trim().Trim('"');
                if (path.Length == 0)
                {
                    return;
                }

                try
                {
                    if (!System.IO.Path.IsPathRooted(path) && context.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.projectdir", out var projectDirectory) && projectDirectory.Length > 0)
                    {
                        path = System.IO.Path.Combine(projectDirectory, path);
                    }

                    var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
                    var text = extension is ".dot" or ".gv"
                        ? graph.ToGraphviz()
                        : extension == ".md" ? "```mermaid\n" + graph.ToMermaid() + "```\n" : graph.ToMermaid();

#pragma warning disable RS1035 // Writing the graph is what the user asked for with the option; nothing else of the package touches files.
                    // Written whole and then moved, so that a reader, or the build of another target framework of the
                    // same project, never sees half a file.
                    var temporary = path + "." + System.Guid.NewGuid().ToString("N") + ".tmp";
                    System.IO.File.WriteAllText(temporary, text);
                    System.IO.File.Copy(temporary, path, overwrite: true);
                    System.IO.File.Delete(temporary);
#pragma warning restore RS1035
                }
                catch (System.Exception exception) when (exception is System.IO.IOException or System.UnauthorizedAccessException or System.ArgumentException or System.NotSupportedException)
                {
                    context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.LockGraphNotWritten, Location.None, path, exception.Message));
                }
            }
        }
    }
}
