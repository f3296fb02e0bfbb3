using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// What CONC021 found at one sleep: the started work it stands in for a wait on, and why that matters
    /// (a result read afterwards, or the program ending). The analyzer reports it; the code fix turns it
    /// into a real wait when every piece of work has something to wait on.
    /// </summary>
    internal sealed class SleepAsSynchronization
    {
        private SleepAsSynchronization(SleepCall sleep, EnclosingFunction function, ImmutableArray<StartedWork> works, ISymbol? readAfterwards)
        {
            Sleep = sleep;
            Function = function;
            Works = works;
            ReadAfterwards = readAfterwards;
        }

        public SleepCall Sleep { get; }

        public EnclosingFunction Function { get; }

        /// <summary>The work the sleep waits for, in the order it was started.</summary>
        public ImmutableArray<StartedWork> Works { get; }

        /// <summary>A variable the work writes and the code reads after the sleep; null when the program ends instead.</summary>
        public ISymbol? ReadAfterwards { get; }

        public static SleepAsSynchronization? Find(SleepCall sleep, ISymbol? containingSymbol, KnownTypes types, CancellationToken cancellationToken)
        {
            if (sleep.Statement is null || sleep.IsYield)
            {
                return null;
            }

            var function = EnclosingFunction.Of(sleep.Expression, containingSymbol);
            var sleepLoop = InnermostLoop(sleep.Expression, function.Body);
            var sleepStart = sleep.Expression.Syntax.SpanStart;
            var sleepEnd = sleep.Expression.Syntax.Span.End;
            var candidates = new List<(StartedWork Work, ImmutableArray<IOperation> Joins)>();
            foreach (var work in StartedWork.Collect(function.Body, types))
            {
                if (work.Start.Syntax.Span.End > sleepStart || IsRecurring(work))
                {
                    continue;
                }

                // A sleep repeated in a loop the work was started outside of paces that loop (progress
                // reporting, sampling); it is not a one-off wait for the work.
                if (sleepLoop is not null && !work.Start.IsWithin(sleepLoop))
                {
                    continue;
                }

                var joins = work.FindJoins(function.Body);
                if (IsJoinedBetween(joins, work.Start.Syntax.Span.End, sleepStart))
                {
                    continue;
                }

                candidates.Add((work, joins));
            }

            // Most sleeps follow no started work; they end here, before any costlier question.
            if (candidates.Count == 0)
            {
                return null;
            }

            // A sleep in a loop that only re-checks shared state is CONC022's to report.
            if (sleepLoop is not null && PollingLoop.TryGet(sleepLoop, function, types, out _))
            {
                return null;
            }

            var semanticModel = sleep.Invocation.SemanticModel;
            var waitedFor = ImmutableArray.CreateBuilder<StartedWork>();
            ISymbol? firstRead = null;
            foreach (var (work, joins) in candidates)
            {
                var written = WrittenLocations.Of(work.Entry, semanticModel, cancellationToken);
                if (written.IsEmpty)
                {
                    continue;
                }

                var read = FirstReadAfter(function.Body, written, sleepEnd, FirstJoinAfter(joins, sleepEnd));
                if (read is not null)
                {
                    waitedFor.Add(work);
                    firstRead ??= read;
                }
            }

            if (waitedFor.Count > 0)
            {
                return new SleepAsSynchronization(sleep, function, waitedFor.ToImmutable(), firstRead);
            }

            // `Task.Run(...); Thread.Sleep(1000);` at the end of Main: the program exits whether or not the
            // work is done (Go's "time.Sleep in main to wait for goroutines").
            if (IsProgramEndingPause(sleep, function, types))
            {
                return new SleepAsSynchronization(sleep, function, candidates.Select(c => c.Work).ToImmutableArray(), readAfterwards: null);
            }

            return null;
        }

        /// <summary>A periodic timer fires on its own schedule: sleeping while it runs is sampling, not waiting.</summary>
        private static bool IsRecurring(StartedWork work) =>
            work.Entry.Kind is ConcurrencyKind.TimersTimer or ConcurrencyKind.ThreadingTimer && work.Entry.RunsManyAtOnce;

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

        private static bool IsJoinedBetween(ImmutableArray<IOperation> joins, int from, int to)
        {
            foreach (var join in joins)
            {
                var position = join.Syntax.SpanStart;
                if (position >= from && position < to)
                {
                    return true;
                }
            }

            return false;
        }

        private static int FirstJoinAfter(ImmutableArray<IOperation> joins, int position)
        {
            var first = int.MaxValue;
            foreach (var join in joins)
            {
                var start = join.Syntax.SpanStart;
                if (start >= position && start < first)
                {
                    first = start;
                }
            }

            return first;
        }

        private static ISymbol? FirstReadAfter(IOperation functionBody, ImmutableHashSet<ISymbol> written, int from, int until)
        {
            foreach (var operation in functionBody.DescendantsInSameFunction())
            {
                var position = operation.Syntax.SpanStart;
                if (position < from || position >= until)
                {
                    continue;
                }

                var symbol = operation.ReferencedSymbol();
                if (symbol is not null && written.Contains(symbol) && !IsPureWrite(operation))
                {
                    return symbol;
                }
            }

            return null;
        }

        /// <summary>`_result = null;` after the sleep overwrites, it does not read.</summary>
        private static bool IsPureWrite(IOperation reference)
        {
            var parent = reference.WalkUpConversions(out var child);
            return parent is ISimpleAssignmentOperation assignment && ReferenceEquals(assignment.Target, child);
        }

        private static bool IsProgramEndingPause(SleepCall sleep, EnclosingFunction function, KnownTypes types)
        {
            if (function.FunctionOperation is not null || function.Symbol is not { IsStatic: true, Name: "Main" or "<Main>$" })
            {
                return false;
            }

            var statement = sleep.Statement!;
            if (statement.Parent is not IBlockOperation block || !ReferenceEquals(block, function.Body.WalkDownToBlock()))
            {
                return false;
            }

            var seen = false;
            foreach (var following in block.Operations)
            {
                if (ReferenceEquals(following, statement))
                {
                    seen = true;
                    continue;
                }

                if (!seen)
                {
                    continue;
                }

                // Only goodbye messages and returns may follow.
                var isConsoleOutput = following is IExpressionStatementOperation { Operation: IInvocationOperation invocation }
                    && KnownTypes.Is(invocation.TargetMethod.ContainingType, types.Console);
                if (!isConsoleOutput && following is not IReturnOperation)
                {
                    return false;
                }
            }

            return true;
        }

        public string WorkDescription
        {
            get
            {
                var first = Works[0];
                var line = first.Start.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                var description = first.Entry.Description + " started on line " + line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Works.Length == 1 ? description : description + " and " + (Works.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + " more";
            }
        }

        public string Consequence => ReadAfterwards is null
            ? "the program can exit before the work finishes"
            : "'" + ReadAfterwards.Name + "' is read afterwards without waiting for the work to finish";
    }
}
