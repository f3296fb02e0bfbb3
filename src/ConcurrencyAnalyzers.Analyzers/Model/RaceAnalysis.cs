using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>A shared access that can run at the same time as a conflicting one, with where and why.</summary>
    internal sealed class RaceFinding
    {
        public RaceFinding(SharedAccess access, IOperation reportAt, ImmutableArray<IMethodSymbol> path, string context, IOperation? other)
        {
            Access = access;
            ReportAt = reportAt;
            Path = path;
            Context = context;
            Other = other;
        }

        /// <summary>The racing write (in the work, or in a helper the work calls).</summary>
        public SharedAccess Access { get; }

        /// <summary>Where the race shows in the concurrent code: the write itself, or the call that leads to it.</summary>
        public IOperation ReportAt { get; }

        /// <summary>The helper methods between <see cref="ReportAt"/> and the write; empty when the write is direct.</summary>
        public ImmutableArray<IMethodSymbol> Path { get; }

        /// <summary>The message's account of the concurrency ("in a Parallel.ForEach body that runs on several threads at once").</summary>
        public string Context { get; }

        /// <summary>The conflicting access, when it is another one.</summary>
        public IOperation? Other { get; }

        public bool IsDirect => Path.IsEmpty;
    }

    /// <summary>
    /// Finds data races in one member: for every piece of concurrent work it starts (see
    /// <see cref="ConcurrentEntryPoint"/>), the shared writes that can run at the same time as another
    /// write of the same variable — another copy of the same work, another piece of work, or the member
    /// itself before it waits for the work — with no lock that both hold. Collections that are not
    /// thread-safe race with reads too. Writes in helper methods the work calls come from
    /// <see cref="MethodAccessSummaries"/>.
    /// </summary>
    internal static class RaceAnalysis
    {
        private sealed class WorkAccess
        {
            public WorkAccess(SharedAccess access, IOperation reportAt, ImmutableArray<LockIdentity> locks, ImmutableArray<IMethodSymbol> path, int workIndex, ISymbol? root)
            {
                Access = access;
                ReportAt = reportAt;
                Locks = locks;
                Path = path;
                WorkIndex = workIndex;
                Root = root;
            }

            /// <summary>The variable through which the object is reached (see <see cref="SharedAccess.Root"/>).</summary>
            public ISymbol? Root { get; }

            public SharedAccess Access { get; }
            public IOperation ReportAt { get; }
            public ImmutableArray<LockIdentity> Locks { get; }
            public ImmutableArray<IMethodSymbol> Path { get; }
            public int WorkIndex { get; }
            public bool HoldsExclusiveLock => Locks.Any(l => l.IsExclusive);
        }

        private sealed class Started
        {
            public Started(ConcurrentEntryPoint entry, EnclosingFunction spawner, int windowStart, int windowEnd, bool inLoop, ILoopOperation? loop, List<WorkAccess> accesses)
            {
                Entry = entry;
                Spawner = spawner;
                WindowStart = windowStart;
                WindowEnd = windowEnd;
                InLoop = inLoop;
                Loop = loop;
                Accesses = accesses;
            }

            public ConcurrentEntryPoint Entry { get; }
            public EnclosingFunction Spawner { get; }
            public int WindowStart { get; }
            public int WindowEnd { get; }
            public bool InLoop { get; }
            public ILoopOperation? Loop { get; }
            public List<WorkAccess> Accesses { get; }
        }

        public static ImmutableArray<RaceFinding> Find(IOperation block, ISymbol containingSymbol, KnownTypes types, MethodAccessSummaries summaries, CancellationToken cancellationToken)
        {
            var entries = new List<ConcurrentEntryPoint>();
            foreach (var operation in block.DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation or IObjectCreationOperation or IEventAssignmentOperation
                    && ConcurrentEntryPoint.TryGet(operation, types, out var entry))
                {
                    entries.Add(entry);
                }
            }

            // The cheap prefilter: a member that starts no concurrent work has no race of its own.
            if (entries.Count == 0)
            {
                return ImmutableArray<RaceFinding>.Empty;
            }

            var startedByFunction = new Dictionary<IOperation, ImmutableArray<StartedWork>>();
            var all = new List<Started>();
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var spawner = EnclosingFunction.Of(entry.Operation, containingSymbol);
                if (!startedByFunction.TryGetValue(spawner.Body, out var started))
                {
                    started = StartedWork.Collect(spawner.Body, types);
                    startedByFunction[spawner.Body] = started;
                }

                var work = started.FirstOrDefault(w => ReferenceEquals(w.Entry.Operation, entry.Operation));
                var joins = ImmutableArray<IOperation>.Empty;
                int windowStart, windowEnd;
                if (entry.OutlivesStart)
                {
                    if (work is null)
                    {
                        // Awaited on the spot: it does not outlive its statement.
                        windowStart = entry.Operation.Syntax.SpanStart;
                        windowEnd = entry.Operation.Syntax.Span.End;
                    }
                    else
                    {
                        windowStart = work.Start.Syntax.SpanStart;
                        joins = work.FindJoins(spawner.Body);
                        windowEnd = joins.Select(j => j.Syntax.SpanStart).Where(p => p > windowStart).DefaultIfEmpty(int.MaxValue).Min();

                        // `await Task.WhenAll(Task.Run(a), Task.Run(b))`: work kept nowhere is over when that call is.
                        if (work.Handle is null && work.Collection is null && EnclosingWaitAll(entry.Operation, spawner.Body) is { } waitAll)
                        {
                            windowEnd = waitAll.Syntax.Span.End;
                        }
                    }
                }
                else
                {
                    windowStart = entry.Operation.Syntax.SpanStart;
                    windowEnd = entry.Operation.Syntax.Span.End;
                }

                // Started in a loop and not waited for within the same iteration: copies from several iterations overlap.
                var loop = InnermostLoop(work?.Start ?? entry.Operation, spawner.Body);
                var inLoop = entry.OutlivesStart && work is not null && loop is not null
                    && !joins.Any(j => j.IsWithin(loop) && j.Syntax.SpanStart > work.Start.Syntax.SpanStart)
                    && !(work.Handle is null && work.Collection is null && EnclosingWaitAll(entry.Operation, spawner.Body) is { } inner && inner.IsWithin(loop));
                all.Add(new Started(entry, spawner, windowStart, windowEnd, inLoop, loop, AccessesOf(entry, types, summaries, cancellationToken)));
            }

            var findings = new List<RaceFinding>();
            var reported = new HashSet<(IOperation, ISymbol)>();
            var spawnerAccesses = new Dictionary<IOperation, ImmutableArray<SharedAccess>>();
            foreach (var started in all)
            {
                FindSelfRaces(started, findings, reported);
                if (started.Entry.OutlivesStart && started.Accesses.Count > 0)
                {
                    // What the starting member itself does, worked out once however much work it starts.
                    if (!spawnerAccesses.TryGetValue(started.Spawner.Body, out var ownAccesses))
                    {
                        ownAccesses = SharedAccess.In(started.Spawner.Body, null, started.Spawner.Body, types, includeReads: true, ownLocalsShared: true);
                        spawnerAccesses[started.Spawner.Body] = ownAccesses;
                    }

                    FindSpawnerRaces(started, ownAccesses, findings, reported);
                }

                foreach (var other in all)
                {
                    if (!ReferenceEquals(other, started)
                        && ReferenceEquals(other.Spawner.Body, started.Spawner.Body)
                        && other.WindowStart < started.WindowEnd && started.WindowStart < other.WindowEnd
                        && !IsContinuationOf(other.Entry, started.Entry) && !IsContinuationOf(started.Entry, other.Entry))
                    {
                        foreach (var mine in started.Accesses)
                        {
                            foreach (var theirs in other.Accesses)
                            {
                                if (Conflicts(mine, theirs) && !mine.HoldsExclusiveLock)
                                {
                                    Add(findings, reported, mine, "in " + Name(started.Entry) + " and in " + Name(other.Entry) + " started on line " + Line(other.Entry.Operation) + ", which run at the same time", theirs.ReportAt);
                                }
                            }
                        }
                    }
                }
            }

            return findings.ToImmutableArray();
        }

        /// <summary>
        /// A member the configuration says runs on several threads at once on a shared instance: its
        /// read-modify-writes and collection changes of the object's (or static) state, directly or through
        /// helpers, with no lock held, race with another call of the same member.
        /// </summary>
        public static ImmutableArray<RaceFinding> FindInConcurrentMember(IOperation body, IMethodSymbol member, KnownTypes types, MethodAccessSummaries summaries, CancellationToken cancellationToken)
        {
            var findings = new List<RaceFinding>();
            var reported = new HashSet<(IOperation, ISymbol)>();
            var context = "in '" + member.Name + "', which the configuration (concurrent_types) says runs on several threads at once";
            var accesses = new List<WorkAccess>();
            foreach (var access in SharedAccess.In(body, null, body, types, includeReads: false))
            {
                accesses.Add(new WorkAccess(access, access.Operation, access.Locks, ImmutableArray<IMethodSymbol>.Empty, 0, access.Root));
            }

            foreach (var operation in body.DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation call && call.TargetMethod.DeclaringSyntaxReferences.Length > 0)
                {
                    AddHelperWrites(call.TargetMethod, call.Instance, call, HeldLocks.At(call, body, types), null, 0, summaries, accesses, cancellationToken);
                }
            }

            foreach (var access in accesses)
            {
                // The object's own state and static state: locals of the member are private to each call.
                if (access.Access.Kind is AccessKind.ReadModifyWrite or AccessKind.CollectionMutation
                    && access.Access.Location is IFieldSymbol or IPropertySymbol
                    && !access.HoldsExclusiveLock)
                {
                    Add(findings, reported, access, context, other: null);
                }
            }

            return findings.ToImmutableArray();
        }

        /// <summary>Several copies of the same work at once: a parallel body, a periodic timer, work started in a loop.</summary>
        private static void FindSelfRaces(Started started, List<RaceFinding> findings, HashSet<(IOperation, ISymbol)> reported)
        {
            var entry = started.Entry;
            if (entry.Kind == ConcurrencyKind.ParallelInvoke)
            {
                // Each action runs once; they race with each other, not with themselves.
                foreach (var mine in started.Accesses)
                {
                    foreach (var theirs in started.Accesses)
                    {
                        if (mine.WorkIndex != theirs.WorkIndex && Conflicts(mine, theirs) && !mine.HoldsExclusiveLock)
                        {
                            Add(findings, reported, mine, "in Parallel.Invoke actions that run at the same time", theirs.ReportAt);
                        }
                    }
                }

                return;
            }

            if (!entry.RunsManyAtOnce && !started.InLoop)
            {
                return;
            }

            var context = entry.RunsManyAtOnce
                ? "in " + Name(entry) + " that runs on several threads at once"
                : "in " + Name(entry) + " started on every loop iteration, so several copies run at once";
            foreach (var access in started.Accesses)
            {
                if (access.Access.Kind is not (AccessKind.ReadModifyWrite or AccessKind.CollectionMutation) || access.HoldsExclusiveLock)
                {
                    continue;
                }

                // A local declared in the loop body, a foreach variable, and objects reached through them are new
                // on every iteration.
                if (started.InLoop && !entry.RunsManyAtOnce
                    && (IsPerIteration(access.Access.Location, started.Loop!) || IsPerIteration(access.Root, started.Loop!)))
                {
                    continue;
                }

                Add(findings, reported, access, context, other: null);
            }
        }

        /// <summary>The member that started the work keeps running until it waits for it.</summary>
        private static void FindSpawnerRaces(Started started, ImmutableArray<SharedAccess> spawnerAccesses, List<RaceFinding> findings, HashSet<(IOperation, ISymbol)> reported)
        {
            foreach (var theirs in spawnerAccesses)
            {
                var position = theirs.Operation.Syntax.SpanStart;
                if (position < started.WindowStart || position >= started.WindowEnd || theirs.Operation.IsWithin(started.Entry.Operation))
                {
                    continue;
                }

                var spawnerAccess = new WorkAccess(theirs, theirs.Operation, theirs.Locks, ImmutableArray<IMethodSymbol>.Empty, workIndex: -1, theirs.Root);
                foreach (var mine in started.Accesses)
                {
                    if (!Conflicts(mine, spawnerAccess))
                    {
                        continue;
                    }

                    // Both sides of the race are reported where they hold no lock: fixing one alone leaves it.
                    var spawnerName = started.Spawner.Symbol?.Name ?? "the code that started it";
                    if (!mine.HoldsExclusiveLock)
                    {
                        Add(findings, reported, mine, "in " + Name(started.Entry) + " while '" + spawnerName + "' also uses it (line " + Line(theirs.Operation) + ") before waiting for the work", theirs.Operation);
                    }

                    if (!spawnerAccess.HoldsExclusiveLock && theirs.IsWrite)
                    {
                        Add(findings, reported, spawnerAccess, "while " + Name(started.Entry) + " started on line " + Line(started.Entry.Operation) + " may still be using it", mine.ReportAt);
                    }
                }
            }
        }

        /// <summary>
        /// Two accesses to one variable conflict when both write it, or when one changes a collection that is
        /// not thread-safe and the other touches it at all; unless both hold the same lock.
        /// </summary>
        private static bool Conflicts(WorkAccess mine, WorkAccess theirs)
        {
            // The same field of two different objects (`_users._entries`, `_orders._entries`) is two variables.
            if (!SymbolEqualityComparer.Default.Equals(mine.Access.Location, theirs.Access.Location)
                || !SymbolEqualityComparer.Default.Equals(mine.Root, theirs.Root))
            {
                return false;
            }

            if (mine.Locks.Any(l => theirs.Locks.Any(t => l.Equals(t) && (l.IsExclusive || t.IsExclusive))))
            {
                return false;
            }

            if (mine.Access.Kind == AccessKind.CollectionMutation)
            {
                return true;
            }

            return mine.Access.Kind is AccessKind.Write or AccessKind.ReadModifyWrite
                && theirs.Access.Kind is AccessKind.Write or AccessKind.ReadModifyWrite or AccessKind.CollectionMutation;
        }

        private static void Add(List<RaceFinding> findings, HashSet<(IOperation, ISymbol)> reported, WorkAccess access, string context, IOperation? other)
        {
            if (reported.Add((access.ReportAt, access.Access.Location)))
            {
                findings.Add(new RaceFinding(access.Access, access.ReportAt, access.Path, context, other));
            }
        }

        /// <summary>What the work touches: directly in its delegates, and through the methods they call.</summary>
        private static List<WorkAccess> AccessesOf(ConcurrentEntryPoint entry, KnownTypes types, MethodAccessSummaries summaries, CancellationToken cancellationToken)
        {
            var result = new List<WorkAccess>();
            for (var index = 0; index < entry.Work.Length; index++)
            {
                switch (entry.Work[index])
                {
                    case IAnonymousFunctionOperation lambda:
                        foreach (var access in SharedAccess.In(lambda.Body, lambda, lambda.Body, types, includeReads: true))
                        {
                            result.Add(new WorkAccess(access, access.Operation, access.Locks, ImmutableArray<IMethodSymbol>.Empty, index, access.Root));
                        }

                        foreach (var operation in lambda.Body.DescendantsInSourceOrder())
                        {
                            if (operation is IInvocationOperation call && call.TargetMethod.DeclaringSyntaxReferences.Length > 0)
                            {
                                AddHelperWrites(call.TargetMethod, call.Instance, call, HeldLocks.At(call, lambda.Body, types), lambda, index, summaries, result, cancellationToken);
                            }
                        }

                        break;
                    case IMethodReferenceOperation reference when reference.Method.DeclaringSyntaxReferences.Length > 0:
                        AddHelperWrites(reference.Method, reference.Instance, reference, ImmutableArray<LockIdentity>.Empty, null, index, summaries, result, cancellationToken);
                        break;
                }
            }

            if (entry.Kind == ConcurrencyKind.AsyncCall && entry.WorkMethod is not null && entry.Operation is IInvocationOperation asyncCall)
            {
                AddHelperWrites(entry.WorkMethod, asyncCall.Instance, asyncCall, ImmutableArray<LockIdentity>.Empty, null, 0, summaries, result, cancellationToken);
            }

            return result;
        }

        private static void AddHelperWrites(IMethodSymbol method, IOperation? receiver, IOperation reportAt, ImmutableArray<LockIdentity> callLocks, IAnonymousFunctionOperation? lambda, int index, MethodAccessSummaries summaries, List<WorkAccess> result, CancellationToken cancellationToken)
        {
            var receiverShared = IsSharedReceiver(receiver, method, lambda);
            foreach (var write in summaries.WritesOf(method, reportAt.SemanticModel, cancellationToken))
            {
                if (write.IsOwnObjectState && !receiverShared)
                {
                    continue;
                }

                // A write to the helper's own object goes through the receiver the helper was called on.
                var root = write.IsOwnObjectState && receiver is not null && receiver.WalkDownConversions() is not IInstanceReferenceOperation
                    ? VariableOf(receiver) ?? write.Access.Root
                    : write.Access.Root;
                result.Add(new WorkAccess(write.Access, reportAt, callLocks.AddRange(write.Locks), write.Path, index, root));
            }
        }

        /// <summary>
        /// The object a helper runs on is shared when it is this, a field, or a variable captured from outside
        /// the work — not a per-item object (the parallel loop's element, a local made inside the work).
        /// </summary>
        private static bool IsSharedReceiver(IOperation? receiver, IMethodSymbol method, IAnonymousFunctionOperation? lambda)
        {
            if (method.IsStatic || receiver is null)
            {
                return true;
            }

            switch (receiver.WalkDownConversions())
            {
                case IInstanceReferenceOperation or IFieldReferenceOperation:
                    return true;
                case ILocalReferenceOperation local:
                    return lambda is null || !lambda.Syntax.Span.Contains(local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.Span ?? default);
                case IParameterReferenceOperation parameter:
                    return lambda is null || !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, lambda.Symbol);
                default:
                    return false;
            }
        }

        /// <summary>`first.ContinueWith(...)` runs after `first` has finished: the two never overlap.</summary>
        private static bool IsContinuationOf(ConcurrentEntryPoint continuation, ConcurrentEntryPoint first)
        {
            if (continuation.Kind != ConcurrencyKind.ContinueWith || continuation.Operation is not IInvocationOperation { Instance: { } antecedent })
            {
                return false;
            }

            var value = antecedent.WalkDownConversions();
            if (ReferenceEquals(value, first.Operation))
            {
                return true;
            }

            // var load = Task.Run(...); load.ContinueWith(...)
            var handle = value.ReferencedSymbol();
            return handle is not null
                && first.Operation.WalkUpConversions(out _) is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }
                && SymbolEqualityComparer.Default.Equals(declarator.Symbol, handle);
        }

        /// <summary>The Task.WhenAll/WaitAll/WhenAny/WaitAny call whose arguments start this work, if any.</summary>
        private static IInvocationOperation? EnclosingWaitAll(IOperation start, IOperation functionBody)
        {
            for (var current = start.Parent; current is not null && !ReferenceEquals(current, functionBody); current = current.Parent)
            {
                if (current is IInvocationOperation { TargetMethod.Name: "WhenAll" or "WaitAll" or "WhenAny" or "WaitAny" } waitAll)
                {
                    return waitAll;
                }

                if (current is IAnonymousFunctionOperation or IExpressionStatementOperation or IVariableDeclaratorOperation)
                {
                    break;
                }
            }

            return null;
        }

        private static ISymbol? VariableOf(IOperation operation) => operation.WalkDownConversions() switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IMemberReferenceOperation member => member.Member,
            _ => null,
        };

        private static ILoopOperation? InnermostLoop(IOperation operation, IOperation functionBody)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, functionBody); current = current.Parent)
            {
                if (current is ILoopOperation loop)
                {
                    return loop;
                }
            }

            return null;
        }

        private static bool IsPerIteration(ISymbol? symbol, ILoopOperation loop)
        {
            if (symbol is not ILocalSymbol local)
            {
                return false;
            }

            // A for loop's own variable is one variable for all iterations; a foreach variable is not.
            var scope = loop is IForEachLoopOperation ? loop.Syntax : loop.Body.Syntax;
            return local.DeclaringSyntaxReferences.Any(r => scope.Span.Contains(r.Span));
        }

        private static string Line(IOperation operation) =>
            (operation.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);

        /// <summary>How a message names the work: "a Parallel.ForEach body", "the Task.Run work".</summary>
        public static string Name(ConcurrentEntryPoint entry)
        {
            var method = (entry.Operation as IInvocationOperation)?.TargetMethod;
            return entry.Kind switch
            {
                ConcurrencyKind.ParallelLoop => "a Parallel." + method!.Name + " body",
                ConcurrencyKind.Plinq => "a PLINQ " + method!.Name + " delegate",
                ConcurrencyKind.ParallelInvoke => "Parallel.Invoke actions",
                ConcurrencyKind.TaskRun => "the Task.Run work",
                ConcurrencyKind.TaskFactoryStartNew => "the StartNew work",
                ConcurrencyKind.ContinueWith => "the ContinueWith continuation",
                ConcurrencyKind.Thread => "the thread",
                ConcurrencyKind.ThreadPool => "the thread-pool work item",
                ConcurrencyKind.ThreadingTimer or ConcurrencyKind.TimersTimer => "a timer callback",
                _ => entry.WorkMethod is null ? "the async call" : "'" + entry.WorkMethod.Name + "', called without await,",
            };
        }
    }
}
