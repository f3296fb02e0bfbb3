using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum ConcurrencyKind
    {
        TaskRun,
        TaskFactoryStartNew,
        ContinueWith,
        ParallelLoop,
        ParallelInvoke,
        Plinq,
        Thread,
        ThreadPool,
        ThreadingTimer,
        TimersTimer,
        AsyncCall,
    }

    /// <summary>
    /// A place where code hands work to something that may run it on another thread, concurrently with
    /// the code that handed it over or with other copies of itself: Task.Run, TaskFactory.StartNew,
    /// ContinueWith, Parallel.*, PLINQ, new Thread, ThreadPool, timers, and async methods called without
    /// being awaited on the spot.
    /// </summary>
    internal sealed class ConcurrentEntryPoint
    {
        private ConcurrentEntryPoint(ConcurrencyKind kind, IOperation operation, ImmutableArray<IOperation> work, IMethodSymbol? workMethod, bool runsManyAtOnce, bool outlivesStart)
        {
            Kind = kind;
            Operation = operation;
            Work = work;
            WorkMethod = workMethod;
            RunsManyAtOnce = runsManyAtOnce;
            OutlivesStart = outlivesStart;
        }

        public ConcurrencyKind Kind { get; }

        /// <summary>The invocation, object creation or event subscription that hands the work over.</summary>
        public IOperation Operation { get; }

        /// <summary>The delegates that run concurrently: lambdas or method references (several for Parallel.Invoke).</summary>
        public ImmutableArray<IOperation> Work { get; }

        /// <summary>The method that runs, for an async call or a single method-group delegate.</summary>
        public IMethodSymbol? WorkMethod { get; }

        /// <summary>Several copies of the work can run at the same time (a parallel loop body, a periodic timer callback).</summary>
        public bool RunsManyAtOnce { get; }

        /// <summary>
        /// The work can still be running when the operation returns (Task.Run, a thread, a timer); false for
        /// Parallel.For/ForEach/Invoke and PLINQ, which block until every copy is done.
        /// </summary>
        public bool OutlivesStart { get; }

        /// <summary>How a message names the source of concurrency ("a Task.Run delegate").</summary>
        public string Description => Kind switch
        {
            ConcurrencyKind.TaskRun => "the Task.Run work",
            ConcurrencyKind.TaskFactoryStartNew => "the StartNew work",
            ConcurrencyKind.ContinueWith => "the ContinueWith continuation",
            ConcurrencyKind.ParallelLoop => "the parallel loop body",
            ConcurrencyKind.ParallelInvoke => "the Parallel.Invoke actions",
            ConcurrencyKind.Plinq => "the PLINQ delegate",
            ConcurrencyKind.Thread => "the thread",
            ConcurrencyKind.ThreadPool => "the thread-pool work item",
            ConcurrencyKind.ThreadingTimer => "the timer callback",
            ConcurrencyKind.TimersTimer => "the timer's Elapsed handler",
            _ => WorkMethod is null ? "the async call" : "'" + WorkMethod.Name + "'",
        };

        /// <summary>
        /// Recognizes an operation that starts concurrent work. Cheap name checks come before any symbol
        /// comparison, since this runs on every invocation of the methods that reach it.
        /// </summary>
        public static bool TryGet(IOperation operation, KnownTypes types, out ConcurrentEntryPoint entry)
        {
            entry = null!;
            switch (operation)
            {
                case IInvocationOperation invocation:
                    return TryGetFromInvocation(invocation, types, out entry);
                case IObjectCreationOperation creation:
                    return TryGetFromCreation(creation, types, out entry);
                case IEventAssignmentOperation { Adds: true } subscription
                    when subscription.EventReference is IEventReferenceOperation { Event.Name: "Elapsed" } eventReference
                        && KnownTypes.Is(eventReference.Event.ContainingType, types.TimersTimer):
                    entry = new ConcurrentEntryPoint(ConcurrencyKind.TimersTimer, subscription, Delegates(subscription.HandlerValue), MethodOf(subscription.HandlerValue), runsManyAtOnce: !IsOneShot(eventReference), outlivesStart: true);
                    return true;
                default:
                    return false;
            }
        }

        private static bool TryGetFromInvocation(IInvocationOperation invocation, KnownTypes types, out ConcurrentEntryPoint entry)
        {
            entry = null!;
            var method = invocation.TargetMethod;
            var containing = method.ContainingType?.OriginalDefinition;
            switch (method.Name)
            {
                case "Run" when KnownTypes.Is(containing, types.Task):
                    entry = FromArguments(ConcurrencyKind.TaskRun, invocation, invocation.Arguments, runsManyAtOnce: false, outlivesStart: true);
                    return true;
                case "StartNew" when KnownTypes.Is(containing, types.TaskFactory) || KnownTypes.Is(containing, types.TaskFactoryOfT):
                    entry = FromArguments(ConcurrencyKind.TaskFactoryStartNew, invocation, invocation.Arguments, runsManyAtOnce: false, outlivesStart: true);
                    return true;
                case "ContinueWith" when KnownTypes.Is(containing, types.Task) || KnownTypes.Is(containing, types.TaskOfT):
                    entry = FromArguments(ConcurrencyKind.ContinueWith, invocation, invocation.Arguments, runsManyAtOnce: false, outlivesStart: true);
                    return true;
                case "For" or "ForEach" or "ForAsync" or "ForEachAsync" when KnownTypes.Is(containing, types.Parallel):
                    // The async forms return a task, so the bodies outlive the call until it is awaited.
                    entry = FromArguments(ConcurrencyKind.ParallelLoop, invocation, invocation.Arguments, runsManyAtOnce: true, outlivesStart: method.Name.EndsWith("Async", System.StringComparison.Ordinal));
                    return true;
                case "Invoke" when KnownTypes.Is(containing, types.Parallel):
                    entry = FromArguments(ConcurrencyKind.ParallelInvoke, invocation, invocation.Arguments, runsManyAtOnce: true, outlivesStart: false);
                    return true;
                case "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" when KnownTypes.Is(containing, types.ThreadPool):
                    entry = FromArguments(ConcurrencyKind.ThreadPool, invocation, invocation.Arguments, runsManyAtOnce: false, outlivesStart: true);
                    return true;
            }

            if (KnownTypes.Is(containing, types.ParallelEnumerable) && HasDelegateArgument(invocation))
            {
                entry = FromArguments(ConcurrencyKind.Plinq, invocation, invocation.Arguments, runsManyAtOnce: true, outlivesStart: false);
                return true;
            }

            // An async method of this compilation called without awaiting it right there: its body after
            // the first await runs concurrently with the caller.
            if (method.IsAsync && !invocation.IsAwaitedOnTheSpot() && types.IsTaskLike(method.ReturnType))
            {
                entry = new ConcurrentEntryPoint(ConcurrencyKind.AsyncCall, invocation, ImmutableArray<IOperation>.Empty, method, runsManyAtOnce: false, outlivesStart: true);
                return true;
            }

            return false;
        }

        private static bool TryGetFromCreation(IObjectCreationOperation creation, KnownTypes types, out ConcurrentEntryPoint entry)
        {
            entry = null!;
            var type = creation.Type;
            if (type is null || (type.Name != "Thread" && type.Name != "Timer"))
            {
                return false;
            }

            if (KnownTypes.Is(type, types.Thread))
            {
                entry = FromArguments(ConcurrencyKind.Thread, creation, creation.Arguments, runsManyAtOnce: false, outlivesStart: true);
                return true;
            }

            if (KnownTypes.Is(type, types.ThreadingTimer) && creation.Arguments.Length > 0)
            {
                entry = FromArguments(ConcurrencyKind.ThreadingTimer, creation, creation.Arguments, runsManyAtOnce: IsPeriodicTimer(creation), outlivesStart: true);
                return true;
            }

            return false;
        }

        /// <summary>A System.Threading.Timer created with a period other than Timeout.Infinite fires again and again.</summary>
        public static bool IsPeriodicTimer(IObjectCreationOperation creation)
        {
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == "period")
                {
                    var value = argument.Value.WalkDownConversions().ConstantValue;
                    if (value.HasValue && value.Value is int or long or uint)
                    {
                        return System.Convert.ToInt64(value.Value, System.Globalization.CultureInfo.InvariantCulture) is not (-1 or 0);
                    }

                    // Timeout.InfiniteTimeSpan and computed periods: assume periodic, the less surprising answer.
                    return !(argument.Value.WalkDownConversions() is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" });
                }
            }

            // The Timer(TimerCallback) constructor creates a timer that does not fire until Change is called.
            return false;
        }

        /// <summary>
        /// A System.Timers.Timer fires repeatedly unless its AutoReset is set to false, in its object
        /// initializer or by an assignment in the same member.
        /// </summary>
        private static bool IsOneShot(IEventReferenceOperation eventReference)
        {
            var timer = eventReference.Instance.ReferencedSymbol();
            if (timer is null)
            {
                return false;
            }

            var root = (IOperation)eventReference;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            foreach (var operation in root.DescendantsInSourceOrder())
            {
                if (operation is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "AutoReset" } target } assignment
                    && assignment.Value.ConstantValue is { HasValue: true, Value: false }
                    && SymbolEqualityComparer.Default.Equals(TimerOf(target), timer))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The timer variable whose AutoReset is set: `timer.AutoReset` or `var timer = new Timer { AutoReset = … }`.</summary>
        private static ISymbol? TimerOf(IPropertyReferenceOperation autoReset)
        {
            if (autoReset.Instance is not IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver })
            {
                return autoReset.Instance.ReferencedSymbol();
            }

            for (var current = autoReset.Parent; current is not null; current = current.Parent)
            {
                if (current is IObjectCreationOperation creation)
                {
                    return creation.WalkUpConversions(out var child) switch
                    {
                        IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
                        ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child) => assignment.Target.ReferencedSymbol(),
                        _ => null,
                    };
                }
            }

            return null;
        }

        private static bool HasDelegateArgument(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static ConcurrentEntryPoint FromArguments(ConcurrencyKind kind, IOperation operation, ImmutableArray<IArgumentOperation> arguments, bool runsManyAtOnce, bool outlivesStart)
        {
            var work = ImmutableArray.CreateBuilder<IOperation>();
            IMethodSymbol? workMethod = null;
            foreach (var argument in arguments)
            {
                // Parallel.For's localInit and localFinally run once per worker, not per item; they still run
                // concurrently with each other, so they count as work too.
                foreach (var value in ArgumentValues(argument))
                {
                    if (value.WalkDownConversions() is IDelegateCreationOperation delegateCreation)
                    {
                        var target = delegateCreation.Target.WalkDownConversions();
                        work.Add(target);
                        if (target is IMethodReferenceOperation reference)
                        {
                            workMethod ??= reference.Method;
                        }
                    }
                }
            }

            return new ConcurrentEntryPoint(kind, operation, work.ToImmutable(), workMethod, runsManyAtOnce, outlivesStart);
        }

        private static ImmutableArray<IOperation> ArgumentValues(IArgumentOperation argument)
        {
            // Parallel.Invoke(params Action[]) packs its delegates into an array creation.
            if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            {
                return initializer.ElementValues;
            }

            return ImmutableArray.Create(argument.Value);
        }

        private static ImmutableArray<IOperation> Delegates(IOperation handler) =>
            handler.WalkDownConversions() is IDelegateCreationOperation creation
                ? ImmutableArray.Create(creation.Target.WalkDownConversions())
                : ImmutableArray<IOperation>.Empty;

        private static IMethodSymbol? MethodOf(IOperation handler) =>
            handler.WalkDownConversions() is IDelegateCreationOperation { Target: IMethodReferenceOperation reference } ? reference.Method : null;

        /// <summary>
        /// The entry point whose work contains <paramref name="operation"/>, if the operation is inside a
        /// delegate handed to one (the nearest such delegate wins).
        /// </summary>
        public static ConcurrentEntryPoint? Enclosing(IOperation operation, KnownTypes types)
        {
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                if (current is not IAnonymousFunctionOperation lambda)
                {
                    continue;
                }

                // lambda -> delegate creation -> (conversion) -> argument/array element -> invocation or creation
                for (var up = lambda.Parent; up is not null; up = up.Parent)
                {
                    if (up is IInvocationOperation or IObjectCreationOperation or IEventAssignmentOperation)
                    {
                        if (TryGet(up, types, out var entry) && entry.Work.Contains(lambda))
                        {
                            return entry;
                        }

                        break;
                    }

                    if (up is not (IDelegateCreationOperation or IConversionOperation or IArgumentOperation or IArrayCreationOperation or IArrayInitializerOperation))
                    {
                        break;
                    }
                }
            }

            return null;
        }
    }
}
