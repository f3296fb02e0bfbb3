using System.Collections.Generic;
using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC011: a loop that never ends (`while (true)`, `for (;;)`) in work that runs in the background,
    /// with nothing in it that can end it (<see cref="EndlessLoop.HasExit"/>).
    /// <para>
    /// A loop in a delegate handed to Task.Run, StartNew, a thread, the thread pool or a timer, or in a
    /// BackgroundService's ExecuteAsync, is reported where it is, as the document is analysed. A loop in a
    /// method is reported once the whole compilation is seen, if some code starts that method in the
    /// background (a method group given to Task.Run or a thread, an async call not awaited on the spot), or
    /// calls it from such work, up to three calls deep.
    /// </para>
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LoopWithoutCancellationAnalyzer : ConcurrencyAnalyzer
    {
        private const int CallDepth = 3;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.LoopWithoutCancellation, RuleDescriptors.LoopWithoutCancellationInStartedMethod);

        private protected override bool IsApplicable(KnownTypes types) => types.Task is not null && types.CancellationToken is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            var state = new BackgroundMethods();
            context.RegisterOperationAction(operationContext => AnalyzeLoop(operationContext, types, state), OperationKind.Loop);
            context.RegisterOperationAction(
                operationContext => state.AddStart(operationContext.Operation, operationContext.ContainingSymbol, types),
                OperationKind.Invocation,
                OperationKind.ObjectCreation,
                OperationKind.EventAssignment);
            context.RegisterCompilationEndAction(endContext =>
            {
                foreach (var (method, location) in state.LoopsInBackgroundMethods())
                {
                    endContext.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.LoopWithoutCancellationInStartedMethod, location, "'" + method.Name + "', which runs in the background,"));
                }
            });
        }

        private static void AnalyzeLoop(OperationAnalysisContext context, KnownTypes types, BackgroundMethods state)
        {
            var loop = (ILoopOperation)context.Operation;
            if (!EndlessLoop.IsEndless(loop) || EndlessLoop.HasExit(loop, types))
            {
                return;
            }

            var location = loop.Syntax.GetFirstToken().GetLocation();
            var function = EnclosingFunction.Of(loop, context.ContainingSymbol).FunctionOperation;
            switch (function)
            {
                case IAnonymousFunctionOperation lambda:
                    var entry = ConcurrentEntryPoint.Enclosing(loop, types);
                    if (entry is not null && entry.Work.Contains(lambda) && EndlessLoop.StartsBackgroundWork(entry.Kind))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.LoopWithoutCancellation, location, entry.Description));
                    }

                    return;
                case ILocalFunctionOperation localFunction:
                    state.AddLoop(localFunction.Symbol, location);
                    return;
                default:
                    if (context.ContainingSymbol is not IMethodSymbol method)
                    {
                        return;
                    }

                    if (EndlessLoop.IsHostedExecute(method))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.LoopWithoutCancellation, location, "'" + method.Name + "'"));
                        return;
                    }

                    state.AddLoop(method, location);
                    return;
            }
        }

        /// <summary>Methods started in the background, the calls between methods, and the endless loops of methods.</summary>
        private sealed class BackgroundMethods
        {
            private readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, byte> _started =
                new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, byte>(SymbolEqualityComparer.Default);

            private readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, byte>> _calls =
                new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, byte>>(SymbolEqualityComparer.Default);

            private readonly System.Collections.Concurrent.ConcurrentBag<(IMethodSymbol Method, Location Location)> _loops =
                new System.Collections.Concurrent.ConcurrentBag<(IMethodSymbol, Location)>();

            public void AddLoop(IMethodSymbol method, Location location) => _loops.Add((method.OriginalDefinition, location));

            /// <summary>
            /// One call or start. Every call of a source method is an edge from the member it is in (a call in a
            /// lambda or local function counts as the member's, so what a started local function calls is not
            /// followed); the work of a start is looked at only at the start, so ordinary calls cost one
            /// dictionary update. A local function's own loops are its own: started by a method group or
            /// an async call, they are reported; the member's loops are not.
            /// </summary>
            public void AddStart(IOperation operation, ISymbol containingSymbol, KnownTypes types)
            {
                if (operation is IInvocationOperation invocation
                    && containingSymbol is IMethodSymbol caller
                    && invocation.TargetMethod.OriginalDefinition is { DeclaringSyntaxReferences.Length: > 0 } callee)
                {
                    _calls.GetOrAdd(caller.OriginalDefinition, _ => new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, byte>(SymbolEqualityComparer.Default))
                        .TryAdd(callee, 0);
                }

                if (!ConcurrentEntryPoint.TryGet(operation, types, out var entry) || !EndlessLoop.StartsBackgroundWork(entry.Kind))
                {
                    return;
                }

                if (entry.WorkMethod is { } workMethod && (entry.Kind != ConcurrencyKind.AsyncCall || IsLeftRunning(entry.Operation)))
                {
                    _started.TryAdd(workMethod.OriginalDefinition, 0);
                }

                // What a Task.Run/thread/timer delegate calls runs in the background too.
                foreach (var work in entry.Work)
                {
                    if (work is not IAnonymousFunctionOperation lambda)
                    {
                        continue;
                    }

                    foreach (var inner in lambda.Body.DescendantsInSourceOrder())
                    {
                        if (inner is IInvocationOperation call && call.TargetMethod.OriginalDefinition is { DeclaringSyntaxReferences.Length: > 0 } target)
                        {
                            _started.TryAdd(target, 0);
                        }
                    }
                }
            }

            /// <summary>
            /// An async call whose task is dropped or kept for later: blocking on it (`.Wait()`,
            /// `.GetAwaiter().GetResult()`), returning it or handing it to WhenAll is a caller waiting, and
            /// counts only as a call.
            /// </summary>
            private static bool IsLeftRunning(IOperation call)
            {
                if (call.IsAwaitedOrBlockedOn())
                {
                    return false;
                }

                return call.WalkUpConversions(out _) is not (IReturnOperation or IArgumentOperation);
            }

            public IEnumerable<(IMethodSymbol Method, Location Location)> LoopsInBackgroundMethods()
            {
                if (_loops.IsEmpty)
                {
                    return System.Array.Empty<(IMethodSymbol, Location)>();
                }

                // Hosted services' ExecuteAsync report their own loops; what they call runs in the background too.
                var roots = new List<IMethodSymbol>(_started.Keys);
                foreach (var caller in _calls.Keys)
                {
                    if (EndlessLoop.IsHostedExecute(caller))
                    {
                        roots.Add(caller);
                    }
                }

                var background = new HashSet<IMethodSymbol>(roots, SymbolEqualityComparer.Default);
                var frontier = roots;
                for (var depth = 0; depth < CallDepth && frontier.Count > 0; depth++)
                {
                    var next = new List<IMethodSymbol>();
                    foreach (var method in frontier)
                    {
                        if (_calls.TryGetValue(method, out var callees))
                        {
                            foreach (var callee in callees.Keys)
                            {
                                if (background.Add(callee))
                                {
                                    next.Add(callee);
                                }
                            }
                        }
                    }

                    frontier = next;
                }

                var result = new List<(IMethodSymbol, Location)>();
                foreach (var loop in _loops)
                {
                    if (background.Contains(loop.Method))
                    {
                        result.Add(loop);
                    }
                }

                // Source order, whatever order the callbacks ran in.
                result.Sort((a, b) => string.CompareOrdinal(a.Item2.SourceTree?.FilePath, b.Item2.SourceTree?.FilePath) is var byFile && byFile != 0 ? byFile : a.Item2.SourceSpan.Start.CompareTo(b.Item2.SourceSpan.Start));
                return result;
            }
        }
    }
}
