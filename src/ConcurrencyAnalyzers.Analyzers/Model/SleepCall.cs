using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum SleepKind
    {
        /// <summary>Thread.Sleep(…)</summary>
        ThreadSleep,

        /// <summary>await Task.Delay(…)</summary>
        AwaitedDelay,

        /// <summary>Task.Delay(…).Wait() or .GetAwaiter().GetResult()</summary>
        BlockingDelay,
    }

    /// <summary>
    /// A pause of a fixed length: Thread.Sleep, or Task.Delay that is awaited or blocked on. A Task.Delay
    /// handed to Task.WhenAny is a timeout, not a pause, and is not a sleep here.
    /// </summary>
    internal sealed class SleepCall
    {
        private SleepCall(SleepKind kind, IInvocationOperation invocation, IOperation expression)
        {
            Kind = kind;
            Invocation = invocation;
            Expression = expression;
        }

        public SleepKind Kind { get; }

        /// <summary>The Thread.Sleep or Task.Delay call.</summary>
        public IInvocationOperation Invocation { get; }

        /// <summary>The whole pause expression: the await, the Wait() call, or the Sleep call itself.</summary>
        public IOperation Expression { get; }

        public string Display => Kind == SleepKind.ThreadSleep ? "Thread.Sleep" : "Task.Delay";

        /// <summary>The statement the pause is, when it stands alone as one (`Thread.Sleep(100);`).</summary>
        public IExpressionStatementOperation? Statement => Expression.Parent as IExpressionStatementOperation;

        public static bool TryGet(IInvocationOperation invocation, KnownTypes types, out SleepCall sleep)
        {
            sleep = null!;
            var method = invocation.TargetMethod;
            switch (method.Name)
            {
                case "Sleep" when KnownTypes.Is(method.ContainingType, types.Thread):
                    sleep = new SleepCall(SleepKind.ThreadSleep, invocation, invocation);
                    return true;
                case "Delay" when KnownTypes.Is(method.ContainingType, types.Task):
                    var parent = invocation.WalkUpConversions(out _);
                    if (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure)
                    {
                        parent = configure.WalkUpConversions(out _);
                    }

                    switch (parent)
                    {
                        case IAwaitOperation awaited:
                            sleep = new SleepCall(SleepKind.AwaitedDelay, invocation, awaited);
                            return true;
                        case IInvocationOperation { TargetMethod.Name: "Wait" } wait:
                            sleep = new SleepCall(SleepKind.BlockingDelay, invocation, wait);
                            return true;
                        case IInvocationOperation { TargetMethod.Name: "GetAwaiter" } awaiter
                            when awaiter.WalkUpConversions(out _) is IInvocationOperation { TargetMethod.Name: "GetResult" } getResult:
                            sleep = new SleepCall(SleepKind.BlockingDelay, invocation, getResult);
                            return true;
                    }

                    return false;
                default:
                    return false;
            }
        }

        /// <summary>Thread.Sleep(0) and Sleep(1) yield the rest of a time slice; they are not a wait for anything.</summary>
        public bool IsYield
        {
            get
            {
                if (Invocation.Arguments.Length == 0)
                {
                    return false;
                }

                var value = Invocation.Arguments[0].Value.WalkDownConversions().ConstantValue;
                return value.HasValue && value.Value is int milliseconds && milliseconds <= 1;
            }
        }
    }
}
