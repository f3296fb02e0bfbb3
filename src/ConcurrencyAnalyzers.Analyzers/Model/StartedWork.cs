using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// Work a function starts that can outlive the statement that starts it (a task, a thread, a timer,
    /// a thread-pool item, an async call not awaited on the spot), with the variable that holds on to it.
    /// </summary>
    internal sealed class StartedWork
    {
        private StartedWork(ConcurrentEntryPoint entry, IOperation start, ISymbol? handle, ISymbol? collection, bool inLoop)
        {
            Entry = entry;
            Start = start;
            Handle = handle;
            Collection = collection;
            InLoop = inLoop;
        }

        public ConcurrentEntryPoint Entry { get; }

        /// <summary>Where the work begins to run: the Task.Run call, or thread.Start() for a thread.</summary>
        public IOperation Start { get; }

        /// <summary>The local, field or property that holds the task, thread or timer, if any.</summary>
        public ISymbol? Handle { get; }

        /// <summary>The list or array the task or thread is added to (tasks.Add(Task.Run(...))), if any.</summary>
        public ISymbol? Collection { get; }

        /// <summary>Started inside a loop of the same function: one start, many copies.</summary>
        public bool InLoop { get; }

        public bool IsThread => Entry.Kind == ConcurrencyKind.Thread;

        /// <summary>
        /// Every piece of work <paramref name="functionBody"/> starts that outlives its start, in source order.
        /// Work in nested lambdas belongs to those lambdas, not to this function.
        /// </summary>
        public static ImmutableArray<StartedWork> Collect(IOperation functionBody, KnownTypes types)
        {
            var result = ImmutableArray.CreateBuilder<StartedWork>();
            foreach (var operation in functionBody.DescendantsInSameFunction())
            {
                if (operation is not (IInvocationOperation or IObjectCreationOperation or IEventAssignmentOperation))
                {
                    continue;
                }

                if (!ConcurrentEntryPoint.TryGet(operation, types, out var entry) || !entry.OutlivesStart)
                {
                    continue;
                }

                var started = FromEntry(entry, functionBody);
                if (started is not null)
                {
                    result.Add(started);
                }
            }

            return result.ToImmutable();
        }

        private static StartedWork? FromEntry(ConcurrentEntryPoint entry, IOperation functionBody)
        {
            var operation = entry.Operation;
            var inLoop = IsInLoop(operation, functionBody);
            var parent = operation.WalkUpConversions(out var child);

            // Awaited or blocked on right where it starts: it does not outlive the statement.
            if (IsJoinedOnTheSpot(parent))
            {
                return null;
            }

            var handle = HandleOf(parent, child);
            var collection = handle is null ? CollectionOf(parent, child) : null;

            if (entry.Kind == ConcurrencyKind.Thread)
            {
                // A thread runs from Start(), not from its constructor.
                if (parent is IInvocationOperation { TargetMethod.Name: "Start" } directStart && ReferenceEquals(directStart.Instance?.WalkDownConversions(), operation))
                {
                    return new StartedWork(entry, directStart, handle: null, collection: null, inLoop);
                }

                var kept = handle ?? collection;
                if (kept is null)
                {
                    return null;
                }

                foreach (var candidate in functionBody.DescendantsInSameFunction())
                {
                    if (candidate is IInvocationOperation { TargetMethod.Name: "Start" } start
                        && candidate.Syntax.SpanStart > operation.Syntax.SpanStart
                        && StartsKeptThread(start, kept, isCollection: handle is null))
                    {
                        return new StartedWork(entry, start, handle, collection, inLoop || IsInLoop(start, functionBody));
                    }
                }

                return null;
            }

            return new StartedWork(entry, operation, handle, collection, inLoop);
        }

        /// <summary>`await Task.Run(...)`, `Task.Run(...).Wait()`: the work is over when its statement is.</summary>
        public static bool IsJoinedOnTheSpot(ConcurrentEntryPoint entry) => IsJoinedOnTheSpot(entry.Operation.WalkUpConversions(out _));

        public static bool IsJoinedOnTheSpot(IOperation? parent)
        {
            switch (parent)
            {
                case IAwaitOperation:
                    return true;
                case IInvocationOperation { TargetMethod.Name: "Wait" or "GetAwaiter" or "ConfigureAwait" or "WaitAsync" } invocation:
                    return invocation.TargetMethod.Name is "Wait" or "GetAwaiter" || invocation.WalkUpConversions(out _) is IAwaitOperation;
                case IPropertyReferenceOperation { Property.Name: "Result" }:
                    return true;
                default:
                    return false;
            }
        }

        private static ISymbol? HandleOf(IOperation? parent, IOperation child)
        {
            switch (parent)
            {
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    return declarator.Symbol;
                case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child):
                    return assignment.Target.ReferencedSymbol();
                default:
                    return null;
            }
        }

        private static ISymbol? CollectionOf(IOperation? parent, IOperation child)
        {
            switch (parent)
            {
                // tasks.Add(Task.Run(...)) or threads.Add(new Thread(...))
                case IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Add" } add }:
                    return add.Instance.ReferencedSymbol();

                // tasks[i] = Task.Run(...) or threads[i] = new Thread(...)
                case ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment when ReferenceEquals(assignment.Value, child):
                    return element.ArrayReference.ReferencedSymbol();
                default:
                    return null;
            }
        }

        /// <summary>`thread.Start()`, `threads[i].Start()`, or `t.Start()` in `foreach (var t in threads)`.</summary>
        private static bool StartsKeptThread(IInvocationOperation start, ISymbol kept, bool isCollection)
        {
            var instance = start.Instance?.WalkDownConversions();
            if (!isCollection)
            {
                return SymbolEqualityComparer.Default.Equals(instance.ReferencedSymbol(), kept);
            }

            if (instance is IArrayElementReferenceOperation element)
            {
                return SymbolEqualityComparer.Default.Equals(element.ArrayReference.ReferencedSymbol(), kept);
            }

            if (instance is ILocalReferenceOperation local)
            {
                for (var current = start.Parent; current is not null; current = current.Parent)
                {
                    if (current is IForEachLoopOperation loop && loop.Locals.Any(l => SymbolEqualityComparer.Default.Equals(l, local.Local)))
                    {
                        return SymbolEqualityComparer.Default.Equals(loop.Collection.WalkDownConversions().ReferencedSymbol(), kept);
                    }
                }
            }

            return false;
        }

        private static bool IsInLoop(IOperation operation, IOperation functionBody)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, functionBody); current = current.Parent)
            {
                if (current is ILoopOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The operations in <paramref name="functionBody"/> that wait for this work to finish: await, Wait,
        /// Result, GetResult, Join, WaitAll/WhenAll (awaited or blocked on) naming its handle or collection.
        /// </summary>
        public ImmutableArray<IOperation> FindJoins(IOperation functionBody)
        {
            var joins = ImmutableArray.CreateBuilder<IOperation>();
            var target = Handle ?? Collection;
            if (target is null)
            {
                return joins.ToImmutable();
            }

            foreach (var operation in functionBody.DescendantsInSameFunction())
            {
                if (IsJoinOf(operation, target))
                {
                    joins.Add(operation);
                }
            }

            return joins.ToImmutable();
        }

        private static bool IsJoinOf(IOperation operation, ISymbol target)
        {
            switch (operation)
            {
                case IAwaitOperation awaited:
                    return Names(awaited.Operation, target);
                case IInvocationOperation invocation:
                    switch (invocation.TargetMethod.Name)
                    {
                        case "Wait" or "Join" or "GetAwaiter" or "ConfigureAwait" or "WaitAsync" when invocation.Instance is not null:
                            return Names(invocation.Instance, target);
                        case "WaitAll" or "WhenAll" or "WaitAny" or "WhenAny":
                            foreach (var argument in invocation.Arguments)
                            {
                                if (Names(argument.Value, target) || ContainsReference(argument.Value, target))
                                {
                                    return true;
                                }
                            }

                            return false;
                    }

                    return false;
                case IPropertyReferenceOperation { Property.Name: "Result" } result:
                    return Names(result.Instance, target);
                case IForEachLoopOperation loop when Names(loop.Collection, target):
                    // foreach (var t in threads) t.Join();
                    foreach (var inner in loop.Body.DescendantsInSameFunction())
                    {
                        if (inner is IInvocationOperation { TargetMethod.Name: "Join" or "Wait" } or IAwaitOperation)
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }

        private static bool Names(IOperation? operation, ISymbol target)
        {
            var inner = operation?.WalkDownConversions();
            // collection.ToArray() and similar copies still name the collection.
            while (inner is IInvocationOperation { Arguments.Length: <= 1 } copy && copy.TargetMethod.Name is "ToArray" or "ToList")
            {
                inner = (copy.Instance ?? (copy.Arguments.Length == 1 ? copy.Arguments[0].Value : null))?.WalkDownConversions();
            }

            return SymbolEqualityComparer.Default.Equals(inner.ReferencedSymbol(), target);
        }

        private static bool ContainsReference(IOperation operation, ISymbol target)
        {
            foreach (var inner in operation.DescendantsInSameFunction())
            {
                if (SymbolEqualityComparer.Default.Equals(inner.ReferencedSymbol(), target))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
