using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>A write a method makes, directly or through the methods it calls, with the locks held on the way.</summary>
    internal sealed class SummarizedWrite
    {
        public SummarizedWrite(SharedAccess access, ImmutableArray<LockIdentity> locks, ImmutableArray<IMethodSymbol> path, bool isOwnObjectState)
        {
            Access = access;
            Locks = locks;
            Path = path;
            IsOwnObjectState = isOwnObjectState;
        }

        public SharedAccess Access { get; }

        /// <summary>Every lock held at the write: in the method that writes and at each call on the way to it.</summary>
        public ImmutableArray<LockIdentity> Locks { get; }

        /// <summary>The methods from the summarized one to the one that writes, in call order.</summary>
        public ImmutableArray<IMethodSymbol> Path { get; }

        /// <summary>The write changes the summarized method's own object (a field of `this`), not static state.</summary>
        public bool IsOwnObjectState { get; }
    }

    /// <summary>
    /// What each method of the compilation writes, summarized once per method per compilation and reused by
    /// every analysis that meets a call to it. Calls on this, on static methods and on shared objects are
    /// followed a few levels deep; locks held at a call are added to what the callee writes under.
    /// </summary>
    internal sealed class MethodAccessSummaries
    {
        private const int MaxDepth = 3;
        private readonly KnownTypes _types;
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<SummarizedWrite>> _summaries =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<SummarizedWrite>>(SymbolEqualityComparer.Default);

        private readonly SourceBodies _bodies;

        public MethodAccessSummaries(Compilation compilation, KnownTypes types)
        {
            _types = types;
            _bodies = new SourceBodies(compilation);
        }

        /// <param name="currentModel">The model of the document being analysed, reused for methods in that document.</param>
        public ImmutableArray<SummarizedWrite> WritesOf(IMethodSymbol method, SemanticModel? currentModel, CancellationToken cancellationToken)
        {
            if (currentModel is not null)
            {
                _bodies.Remember(currentModel);
            }

            return WritesOf(method.OriginalDefinition, depth: 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), cancellationToken, out _);
        }

        /// <param name="truncated">Set when recursion or the depth limit cut the answer short; such answers are not cached.</param>
        private ImmutableArray<SummarizedWrite> WritesOf(IMethodSymbol method, int depth, HashSet<IMethodSymbol> onStack, CancellationToken cancellationToken, out bool truncated)
        {
            truncated = false;
            if (_summaries.TryGetValue(method, out var known))
            {
                return known;
            }

            if (depth > MaxDepth || !onStack.Add(method))
            {
                truncated = true;
                return ImmutableArray<SummarizedWrite>.Empty;
            }

            var writes = ImmutableArray.CreateBuilder<SummarizedWrite>();
            foreach (var body in _bodies.Of(method, cancellationToken))
            {
                foreach (var access in SharedAccess.In(body, null, body, _types, includeReads: false))
                {
                    writes.Add(new SummarizedWrite(access, access.Locks, ImmutableArray.Create(method), IsOwnObjectState(access)));
                }

                foreach (var operation in body.DescendantsInSourceOrder())
                {
                    if (operation is IInvocationOperation call && call.TargetMethod.DeclaringSyntaxReferences.Length > 0)
                    {
                        var callee = call.TargetMethod.OriginalDefinition;
                        var receiverShared = IsSharedReceiver(call);
                        var callLocks = HeldLocks.At(call, body, _types);
                        var calleeWrites = WritesOf(callee, depth + 1, onStack, cancellationToken, out var calleeTruncated);
                        truncated |= calleeTruncated;
                        foreach (var inner in calleeWrites)
                        {
                            // A callee on a per-call object (one this method made) changes nobody else's state.
                            if (inner.IsOwnObjectState && !receiverShared)
                            {
                                continue;
                            }

                            var onThis = call.Instance is null || call.Instance.WalkDownConversions() is IInstanceReferenceOperation;
                            writes.Add(new SummarizedWrite(inner.Access, callLocks.AddRange(inner.Locks), inner.Path.Insert(0, method), inner.IsOwnObjectState && onThis));
                        }
                    }
                }
            }

            onStack.Remove(method);
            var result = writes.ToImmutable();
            if (!truncated)
            {
                _summaries[method] = result;
            }

            return result;
        }

        private static bool IsOwnObjectState(SharedAccess access) =>
            !access.Location.IsStatic && access.Location is IFieldSymbol or IPropertySymbol;

        /// <summary>A call on this, a static method, or an object held in a field: its state is shared.</summary>
        private static bool IsSharedReceiver(IInvocationOperation call) =>
            call.TargetMethod.IsStatic
            || call.Instance is null
            || call.Instance.WalkDownConversions() is IInstanceReferenceOperation or IFieldReferenceOperation;
    }
}
