using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>A lock a method takes, itself or in a method it calls.</summary>
    internal sealed class LockStep
    {
        public LockStep(LockIdentity lockIdentity, LockNode node, string? receiver, bool waitsIndefinitely, ImmutableArray<IMethodSymbol> path)
        {
            Lock = lockIdentity;
            Node = node;
            Receiver = receiver;
            WaitsIndefinitely = waitsIndefinitely;
            Path = path;
        }

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
        private const int MaxDepth = 4;
        private readonly Compilation _compilation;
        private readonly KnownTypes _types;
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<LockStep>> _summaries =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<LockStep>>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new ConcurrentDictionary<SyntaxTree, SemanticModel>();

        public LockSummaries(Compilation compilation, KnownTypes types)
        {
            _compilation = compilation;
            _types = types;
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
                Walk(body, includeNestedFunctions: false,
                    onAcquire: (acquisition, _) =>
                    {
                        if (LockNode.Of(acquisition.Lock) is { } node)
                        {
                            var receiver = LockNode.ReceiverOf(acquisition.Lock);
                            steps.Add(new LockStep(acquisition.Lock, node, receiver is LockNode.This or LockNode.Static ? receiver : null, acquisition.WaitsIndefinitely, ImmutableArray.Create(method)));
                        }
                    },
                    onCall: (call, _) =>
                    {
                        var calleeSteps = StepsOf(call.TargetMethod.OriginalDefinition, depth + 1, onStack, cancellationToken, out var calleeTruncated);
                        cut |= calleeTruncated;
                        foreach (var step in calleeSteps)
                        {
                            steps.Add(new LockStep(step.Lock, step.Node, Through(call, step.Receiver), step.WaitsIndefinitely, step.Path.Insert(0, method)));
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
        /// A call that runs the lambdas it is given before it returns: anything but work handed to another thread
        /// that outlives the call, and methods whose names say they keep the delegate for later.
        /// </summary>
        private bool RunsDelegatesBeforeReturning(IInvocationOperation call)
        {
            switch (call.TargetMethod.Name)
            {
                case "Add" or "TryAdd" or "Insert" or "Enqueue" or "Push" or "Register" or "Subscribe" or "Post" or "Schedule"
                    or "AddHandler" or "Set" or "Store" or "Then" or "OnCompleted" or "UnsafeOnCompleted" or "ContinueWith":
                    return false;
            }

            var hasLambda = false;
            foreach (var argument in call.Arguments)
            {
                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IAnonymousFunctionOperation })
                {
                    hasLambda = true;
                    break;
                }
            }

            return hasLambda && (!ConcurrentEntryPoint.TryGet(call, _types, out var entry) || !entry.OutlivesStart);
        }

#pragma warning disable RS1030 // Summaries of methods in other files need their file's model; one is made per file per compilation.
        private SemanticModel CreateModel(SyntaxTree tree) => _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030

        /// <param name="currentModel">The model of the document being analysed, reused for methods in that document.</param>
        public void Remember(SemanticModel currentModel) => _models.TryAdd(currentModel.SyntaxTree, currentModel);

        private IEnumerable<IOperation> Bodies(IMethodSymbol method, CancellationToken cancellationToken)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (!_compilation.ContainsSyntaxTree(reference.SyntaxTree))
                {
                    continue;
                }

                var syntax = reference.GetSyntax(cancellationToken);
                var model = _models.GetOrAdd(reference.SyntaxTree, CreateModel);
                switch (model.GetOperation(syntax, cancellationToken))
                {
                    case ILocalFunctionOperation { Body: { } localBody }:
                        yield return localBody;
                        break;
                    case { } body and not ILocalFunctionOperation:
                        yield return body;
                        break;
                }
            }
        }
    }
}
