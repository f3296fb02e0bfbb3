using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// "Can this call run after that one?" for the calls of one member body, answered on its control
    /// flow graph: later in the same basic block, in a block reachable from it (later loop iterations
    /// included), in a catch entered after it, or inside a lambda created after it. A call inside a lambda
    /// is never "after" a call of the code around it that comes later, since when the lambda runs is
    /// not known.
    /// </summary>
    internal sealed class FlowOrder
    {
        private readonly Dictionary<SyntaxNode, Position> _positions = new Dictionary<SyntaxNode, Position>();
        private readonly Dictionary<ControlFlowGraph, Position?> _parents = new Dictionary<ControlFlowGraph, Position?>();
        private readonly Dictionary<(ControlFlowGraph, int, bool), HashSet<int>> _reachable = new Dictionary<(ControlFlowGraph, int, bool), HashSet<int>>();
        private readonly Dictionary<ControlFlowGraph, Dictionary<ControlFlowRegion, List<int>>> _afterFinally = new Dictionary<ControlFlowGraph, Dictionary<ControlFlowRegion, List<int>>>();

        private FlowOrder()
        {
        }

        /// <summary>Maps every invocation and object creation of the graph and of its nested lambdas and local functions.</summary>
        public static FlowOrder Build(ControlFlowGraph graph, CancellationToken cancellationToken)
        {
            var order = new FlowOrder();
            order.Add(graph, null, cancellationToken);
            return order;
        }

        public bool Knows(IOperation operation) => _positions.ContainsKey(operation.Syntax);

        /// <summary>Whether <paramref name="later"/> can run after <paramref name="earlier"/> has run.</summary>
        public bool MayRunAfter(IOperation earlier, IOperation later)
        {
            if (!_positions.TryGetValue(earlier.Syntax, out var from) || !_positions.TryGetValue(later.Syntax, out var to))
            {
                return false;
            }

            // Climb from the later call's lambda to the graph of the earlier call: the lambda is created there.
            var target = to;
            while (!ReferenceEquals(target.Graph, from.Graph))
            {
                if (!_parents.TryGetValue(target.Graph, out var parent) || parent is null)
                {
                    return false;
                }

                target = parent;
            }

            return Reaches(from, target);
        }

        private bool Reaches(Position from, Position to)
        {
            if (from.Block == to.Block && to.Index > from.Index)
            {
                return true;
            }

            var key = (from.Graph, from.Block, from.Index < from.Graph.Blocks[from.Block].Operations.Length - 1 || from.Graph.Blocks[from.Block].BranchValue is not null);
            if (!_reachable.TryGetValue(key, out var reachable))
            {
                reachable = ReachableFrom(from.Graph, from.Block, key.Item3);
                _reachable[key] = reachable;
            }

            return reachable.Contains(to.Block);
        }

        /// <summary>The blocks reachable after leaving <paramref name="start"/> (itself again only through a loop).</summary>
        private HashSet<int> ReachableFrom(ControlFlowGraph graph, int start, bool startCanThrow)
        {
            var blocks = graph.Blocks;
            var visited = new HashSet<int>();
            var pending = new Stack<int>();
            foreach (var next in Successors(graph, blocks[start], includeExceptional: startCanThrow))
            {
                pending.Push(next);
            }

            while (pending.Count > 0)
            {
                var ordinal = pending.Pop();
                if (!visited.Add(ordinal))
                {
                    continue;
                }

                foreach (var next in Successors(graph, blocks[ordinal], includeExceptional: true))
                {
                    pending.Push(next);
                }
            }

            return visited;
        }

        /// <summary>
        /// Where control goes when a finally ends: wherever the branches that ran it were going. The
        /// graph itself ends a finally with an edge to nowhere.
        /// </summary>
        private IEnumerable<int> AfterFinally(ControlFlowGraph graph, ControlFlowRegion finallyRegion)
        {
            if (!_afterFinally.TryGetValue(graph, out var map))
            {
                map = new Dictionary<ControlFlowRegion, List<int>>();
                foreach (var block in graph.Blocks)
                {
                    foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
                    {
                        if (branch?.Destination is null)
                        {
                            continue;
                        }

                        foreach (var region in branch.FinallyRegions)
                        {
                            if (!map.TryGetValue(region, out var targets))
                            {
                                targets = new List<int>();
                                map[region] = targets;
                            }

                            targets.Add(branch.Destination.Ordinal);
                        }
                    }
                }

                _afterFinally[graph] = map;
            }

            return map.TryGetValue(finallyRegion, out var after) ? after : (IEnumerable<int>)System.Array.Empty<int>();
        }

        private IEnumerable<int> Successors(ControlFlowGraph graph, BasicBlock block, bool includeExceptional)
        {
            if (block.FallThroughSuccessor is { Destination: null, Semantics: ControlFlowBranchSemantics.StructuredExceptionHandling })
            {
                for (var region = block.EnclosingRegion; region is not null && region.Kind != ControlFlowRegionKind.Root; region = region.EnclosingRegion)
                {
                    if (region.Kind == ControlFlowRegionKind.Finally)
                    {
                        foreach (var next in AfterFinally(graph, region))
                        {
                            yield return next;
                        }

                        break;
                    }
                }
            }

            foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            {
                if (branch is null)
                {
                    continue;
                }

                // Leaving a try runs its finally first.
                foreach (var finallyRegion in branch.FinallyRegions)
                {
                    yield return finallyRegion.FirstBlockOrdinal;
                }

                if (branch.Destination is { } destination)
                {
                    yield return destination.Ordinal;
                }
            }

            if (!includeExceptional)
            {
                yield break;
            }

            // Code in a try can throw into the catches of the same try statement. (A lambda's root region
            // links to the region of the graph around it; the walk stops at this graph's root.)
            for (var region = block.EnclosingRegion; region is not null && region.Kind != ControlFlowRegionKind.Root; region = region.EnclosingRegion)
            {
                if (region.Kind == ControlFlowRegionKind.Try && region.EnclosingRegion is { Kind: ControlFlowRegionKind.TryAndFinally } tryAndFinally)
                {
                    // Code in a try can throw, which runs the finally.
                    foreach (var handler in tryAndFinally.NestedRegions)
                    {
                        if (handler.Kind == ControlFlowRegionKind.Finally)
                        {
                            yield return handler.FirstBlockOrdinal;
                        }
                    }
                }

                if (region.Kind == ControlFlowRegionKind.Try && region.EnclosingRegion is { Kind: ControlFlowRegionKind.TryAndCatch } tryAndCatch)
                {
                    foreach (var handler in tryAndCatch.NestedRegions)
                    {
                        if (handler.Kind is ControlFlowRegionKind.Catch or ControlFlowRegionKind.FilterAndHandler)
                        {
                            yield return handler.FirstBlockOrdinal;
                        }
                    }
                }
            }
        }

        private void Add(ControlFlowGraph graph, Position? parent, CancellationToken cancellationToken)
        {
            _parents[graph] = parent;
            foreach (var block in graph.Blocks)
            {
                var index = 0;
                foreach (var operation in block.Operations)
                {
                    AddOperation(graph, block.Ordinal, index++, operation, cancellationToken);
                }

                if (block.BranchValue is not null)
                {
                    AddOperation(graph, block.Ordinal, index, block.BranchValue, cancellationToken);
                }
            }

            foreach (var localFunction in graph.LocalFunctions)
            {
                Add(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), null, cancellationToken);
            }
        }

        private void AddOperation(ControlFlowGraph graph, int block, int index, IOperation root, CancellationToken cancellationToken)
        {
            var position = new Position(graph, block, index);
            foreach (var operation in root.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IInvocationOperation or IObjectCreationOperation or IAwaitOperation:
                        if (!operation.IsImplicit && !_positions.ContainsKey(operation.Syntax))
                        {
                            _positions[operation.Syntax] = position;
                        }

                        break;
                    case IFlowAnonymousFunctionOperation lambda:
                        Add(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), position, cancellationToken);
                        break;
                }
            }
        }

        private sealed class Position
        {
            public Position(ControlFlowGraph graph, int block, int index)
            {
                Graph = graph;
                Block = block;
                Index = index;
            }

            public ControlFlowGraph Graph { get; }

            public int Block { get; }

            public int Index { get; }
        }
    }
}
