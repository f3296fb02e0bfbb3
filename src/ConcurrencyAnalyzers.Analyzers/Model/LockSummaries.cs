using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>A lock a method takes, itself or in a method it calls.</summary>
    internal sealed class LockStep
    {
        public LockStep(LockIdentity lockIdentity, LockNode node, string? receiver, bool waitsIndefinitely, ImmutableArray<IMethodSymbol> path, bool afterAwait)
        {
            Lock = lockIdentity;
            Node = node;
            Receiver = receiver;
            WaitsIndefinitely = waitsIndefinitely;
            Path = path;
            AfterAwait = afterAwait;
        }

        /// <summary>
        /// Taken after the summarized method's first await: by then the method has returned a task to its
        /// caller, so a caller that does not await it (or wait on it) no longer holds its locks.
        /// </summary>
        public bool AfterAwait { get; }

        public LockIdentity Lock { get; }

        public LockNode Node { get; }

        /// <summary>Whose lock it is, seen from the summarized method: <see cref="LockNode.This"/>, <see cref="LockNode.Static"/>, or null for another object.</summary>
        public string? Receiver { get; }

        public bool WaitsIndefinitely { get; }

        /// <summary>The methods from the summarized one to the one that takes the lock, in call order.</summary>
        public ImmutableArray<IMethodSymbol> Path { get; }
    }

    /// <summary>
    /// Which locks each method of the compilation takes, directly or through the methods it calls (a few
    /// levels deep), summarized once per method per compilation. Work handed to Task.Run, a thread or a
    /// timer does not run under the caller's locks and is left out; a lambda passed to a method that runs
    /// it before returning (List.ForEach, LINQ, Parallel.ForEach, GetOrAdd) is counted.
    /// </summary>
    internal sealed class LockSummaries
    {
        private const int MaxDepth = 16;
        private readonly KnownTypes _types;
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<LockStep>> _summaries =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<LockStep>>(SymbolEqualityComparer.Default);
        private readonly SourceBodies _bodies;

        public LockSummaries(Compilation compilation, KnownTypes types)
        {
            _types = types;
            _bodies = new SourceBodies(compilation);
        }

        public KnownTypes Types => _types;

        public ImmutableArray<LockStep> StepsOf(IMethodSymbol method, CancellationToken cancellationToken) =>
            StepsOf(method.OriginalDefinition, 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), cancellationToken, out _);

        private ImmutableArray<LockStep> StepsOf(IMethodSymbol method, int depth, HashSet<IMethodSymbol> onStack, CancellationToken cancellationToken, out bool truncated)
        {
            truncated = false;
            if (_summaries.TryGetValue(method, out var known))
            {
                return known;
            }

            if (depth > MaxDepth || !onStack.Add(method))
            {
                truncated = true;
                return ImmutableArray<LockStep>.Empty;
            }

            var steps = ImmutableArray.CreateBuilder<LockStep>();
            var cut = false;
            foreach (var body in Bodies(method, cancellationToken))
            {
                // The first await of the method's own body: what comes after it runs after the method returned.
                var firstAwait = body.DescendantsInSameFunction().OfType<IAwaitOperation>().Select(a => a.Syntax.SpanStart).DefaultIfEmpty(int.MaxValue).Min();
                Walk(body, includeNestedFunctions: false,
                    onAcquire: (acquisition, _) =>
                    {
                        if (LockNode.Of(acquisition.Lock) is { } node)
                        {
                            var receiver = LockNode.ReceiverOf(acquisition.Lock);
                            steps.Add(new LockStep(acquisition.Lock, node, receiver is LockNode.This or LockNode.Static ? receiver : null, acquisition.WaitsIndefinitely, ImmutableArray.Create(method),
                                afterAwait: acquisition.Operation.Syntax.SpanStart > firstAwait));
                        }
                    },
                    onCall: (call, _) =>
                    {
                        var calleeSteps = StepsOf(call.TargetMethod.OriginalDefinition, depth + 1, onStack, cancellationToken, out var calleeTruncated);
                        cut |= calleeTruncated;
                        foreach (var step in calleeSteps)
                        {
                            steps.Add(new LockStep(step.Lock, step.Node, Through(call, step.Receiver), step.WaitsIndefinitely, step.Path.Insert(0, method),
                                afterAwait: step.AfterAwait || call.Syntax.SpanStart > firstAwait));
                        }
                    });
            }

            onStack.Remove(method);
            truncated = cut;
            var result = steps.ToImmutable();
            if (!cut)
            {
                _summaries[method] = result;
            }

            return result;
        }

        /// <summary>What a callee's receiver is in the caller: its own lock stays the caller's own when called on `this`.</summary>
        public static string? Through(IInvocationOperation call, string? calleeReceiver)
        {
            if (calleeReceiver == LockNode.Static)
            {
                return LockNode.Static;
            }

            return calleeReceiver == LockNode.This && LockNode.ReceiverKey(call.Instance) == LockNode.This ? LockNode.This : null;
        }

        /// <summary>The receiver, in the caller's terms, of a lock the callee takes on its own object: the object the call is made on.</summary>
        public static string? ReceiverInCaller(IInvocationOperation call, string? calleeReceiver) =>
            calleeReceiver switch
            {
                LockNode.Static => LockNode.Static,
                LockNode.This => call.TargetMethod.IsStatic ? null : LockNode.ReceiverKey(call.Instance),
                _ => null,
            };

        /// <summary>
        /// Visits a function's acquisitions and its calls to methods with source, each with the body of the
        /// function it belongs to (for <see cref="HeldLocks.At"/>). Lambdas run by the call they are passed to
        /// before it returns belong to the function that passes them, so the locks held around that call are
        /// held in them too. Other nested functions run on their own: they are walked, as functions of their
        /// own, only when <paramref name="includeNestedFunctions"/> is set.
        /// </summary>
        public void Walk(IOperation functionBody, bool includeNestedFunctions, System.Action<LockAcquisition, IOperation> onAcquire, System.Action<IInvocationOperation, IOperation> onCall) =>
            Walk(functionBody, functionBody, includeNestedFunctions, onAcquire, onCall);

        private void Walk(IOperation root, IOperation functionBody, bool includeNestedFunctions, System.Action<LockAcquisition, IOperation> onAcquire, System.Action<IInvocationOperation, IOperation> onCall)
        {
            var synchronous = new HashSet<IOperation>();
            foreach (var operation in root.DescendantsInSameFunction())
            {
                if (LockAcquisition.Of(operation, _types) is { } acquisition)
                {
                    onAcquire(acquisition, functionBody);
                    continue;
                }

                switch (operation)
                {
                    case IInvocationOperation call:
                        if (call.TargetMethod.DeclaringSyntaxReferences.Length > 0 && !call.TargetMethod.IsAbstract)
                        {
                            onCall(call, functionBody);
                        }

                        if (RunsDelegatesBeforeReturning(call))
                        {
                            foreach (var argument in call.Arguments)
                            {
                                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                                {
                                    synchronous.Add(lambda);
                                    Walk(lambda.Body, functionBody, includeNestedFunctions, onAcquire, onCall);
                                }
                            }
                        }

                        break;
                    case IAnonymousFunctionOperation lambda when includeNestedFunctions && !synchronous.Contains(lambda):
                        Walk(lambda.Body, lambda.Body, includeNestedFunctions, onAcquire, onCall);
                        break;
                    case ILocalFunctionOperation { Body: { } localBody } when includeNestedFunctions:
                        Walk(localBody, localBody, includeNestedFunctions, onAcquire, onCall);
                        break;
                }
            }
        }

        /// <summary>
        /// A call known to run the lambdas it is given before it returns: List/Array.ForEach, the parallel loops
        /// (the caller blocks until every body is done), ConcurrentDictionary.GetOrAdd/AddOrUpdate,
        /// LazyInitializer, ImmutableInterlocked, and the LINQ operators that enumerate at once. Anything else
        /// (a dispatcher, a registration, deferred LINQ) may keep the delegate for later, so it does not count.
        /// </summary>
        private bool RunsDelegatesBeforeReturning(IInvocationOperation call)
        {
            var method = call.TargetMethod;
            var owner = method.ContainingType?.Name;
            var runsNow = method.Name switch
            {
                "ForEach" => owner is "List" or "Array" || KnownTypes.Is(method.ContainingType, _types.Parallel),
                "For" or "Invoke" => KnownTypes.Is(method.ContainingType, _types.Parallel),
                "GetOrAdd" or "AddOrUpdate" => owner is "ConcurrentDictionary" or "ImmutableInterlocked",
                "EnsureInitialized" => owner == "LazyInitializer",
                "Update" or "InterlockedExchange" => owner == "ImmutableInterlocked",
                "ToList" or "ToArray" or "ToDictionary" or "ToHashSet" or "ToLookup" or "Any" or "All" or "Count" or "LongCount"
                    or "First" or "FirstOrDefault" or "Last" or "LastOrDefault" or "Single" or "SingleOrDefault"
                    or "Sum" or "Min" or "Max" or "Average" or "Aggregate" or "Contains" or "MinBy" or "MaxBy" => owner == "Enumerable",
                _ => false,
            };
            return runsNow && call.Arguments.Any(a => a.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IAnonymousFunctionOperation });
        }

        /// <param name="currentModel">The model of the document being analysed, reused for methods in that document.</param>
        public void Remember(SemanticModel currentModel) => _bodies.Remember(currentModel);

        /// <summary>
        /// A method's bodies, a local function's own body, skipping (without binding) those that neither lock
        /// nor call anything and so take no lock.
        /// </summary>
        private IEnumerable<IOperation> Bodies(IMethodSymbol method, CancellationToken cancellationToken)
        {
            foreach (var body in _bodies.Of(method, cancellationToken, LockSyntax.MayTakeLocksOrCall))
            {
                yield return body is ILocalFunctionOperation { Body: { } localBody } ? localBody : body;
            }
        }
    }
}
