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
            var function = EndlessLoop.InnermostFunction(loop);
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
            private readonly object _gate = new object();
            private readonly HashSet<IMethodSymbol> _started = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            private readonly Dictionary<IMethodSymbol, HashSet<IMethodSymbol>> _calls = new Dictionary<IMethodSymbol, HashSet<IMethodSymbol>>(SymbolEqualityComparer.Default);
            private readonly List<(IMethodSymbol Method, Location Location)> _loops = new List<(IMethodSymbol, Location)>();

            public void AddLoop(IMethodSymbol method, Location location)
            {
                lock (_gate)
                {
                    _loops.Add((method.OriginalDefinition, location));
                }
            }

            public void AddStart(IOperation operation, ISymbol containingSymbol, KnownTypes types)
            {
                if (ConcurrentEntryPoint.TryGet(operation, types, out var entry)
                    && EndlessLoop.StartsBackgroundWork(entry.Kind)
                    && entry.WorkMethod is { } workMethod
                    && (entry.Kind != ConcurrencyKind.AsyncCall || IsLeftRunning(entry.Operation)))
                {
                    lock (_gate)
                    {
                        _started.Add(workMethod.OriginalDefinition);
                    }
                }

                if (operation is not IInvocationOperation invocation || invocation.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.Length == 0)
                {
                    return;
                }

                var callee = invocation.TargetMethod.OriginalDefinition;
                var enclosing = ConcurrentEntryPoint.Enclosing(invocation, types);
                if (enclosing is not null && EndlessLoop.StartsBackgroundWork(enclosing.Kind))
                {
                    // Called from a delegate that runs in the background.
                    lock (_gate)
                    {
                        _started.Add(callee);
                    }

                    return;
                }

                var caller = EndlessLoop.InnermostFunction(invocation) is ILocalFunctionOperation local ? local.Symbol : containingSymbol as IMethodSymbol;
                if (caller is null)
                {
                    return;
                }

                lock (_gate)
                {
                    if (!_calls.TryGetValue(caller.OriginalDefinition, out var callees))
                    {
                        callees = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                        _calls.Add(caller.OriginalDefinition, callees);
                    }

                    callees.Add(callee);
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
                lock (_gate)
                {
                    if (_loops.Count == 0)
                    {
                        return System.Array.Empty<(IMethodSymbol, Location)>();
                    }

                    // Hosted services' ExecuteAsync report their own loops; what they call runs in the background too.
                    var roots = new List<IMethodSymbol>(_started);
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
                                foreach (var callee in callees)
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

                    return result;
                }
            }
        }
    }
}
