using Microsoft.CodeAnalysis;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// The one factory for descriptors, so that every rule gets the same category, the same kind of help
    /// link (the rule's page under docs/rules) and the same defaults.
    /// </summary>
    internal static class RuleDescriptors
    {
        public const string Category = "Concurrency";
        public const string HelpLinkBase = "https://github.com/concurrency-analyzers/concurrency-analyzers/blob/main/docs/rules/";

        public static string HelpLink(string id) => HelpLinkBase + id + ".md";

        public static DiagnosticDescriptor Create(
            string id,
            string title,
            string messageFormat,
            string description,
            DiagnosticSeverity severity = DiagnosticSeverity.Warning,
            bool enabledByDefault = true,
            params string[] customTags)
        {
            return new DiagnosticDescriptor(
                id,
                title,
                messageFormat,
                Category,
                severity,
                enabledByDefault,
                description,
                HelpLink(id),
                customTags);
        }

        public static readonly DiagnosticDescriptor UnsynchronizedWrite = Create(
            RuleIdentifiers.UnsynchronizedWrite,
            "Unsynchronized write to shared state",
            "'{0}' is {1}{2} {3}; make the update atomic with Interlocked or hold a lock",
            "A read-modify-write (++, +=, x = x + 1) or a write to a field, static or captured variable from code that runs on several threads at once loses updates: two threads read the same old value and both write back their own result. Use Interlocked, or hold one lock around every access.");

        public static readonly DiagnosticDescriptor UnsafeCollectionMutation = Create(
            RuleIdentifiers.UnsafeCollectionMutation,
            "Collection that is not thread-safe changed concurrently",
            "{0} '{1}' is {2}{3} {4}; {0} is not thread-safe",
            "List<T>, Dictionary<TKey, TValue>, HashSet<T>, Queue<T>, StringBuilder and the other System.Collections.Generic types corrupt their internal state, lose items or throw when they are changed from two threads at once, or read while another thread changes them. Hold a lock around every access, or use a concurrent collection.");

        public static readonly DiagnosticDescriptor InconsistentLocking = Create(
            RuleIdentifiers.InconsistentLocking,
            "Field written both with and without its lock",
            "'{0}' is written under lock '{1}' in '{2}' but without it here",
            "When a field is written under a lock in one place, the lock is what keeps its writers apart. A write elsewhere that does not take the lock can interleave with the locked ones and lose or tear updates. Take the same lock here too.");

        public static readonly DiagnosticDescriptor LoopVariableCapture = Create(
            RuleIdentifiers.LoopVariableCapture,
            "for loop variable captured by code that runs later",
            "The for loop variable '{0}' is captured by {1}, which runs after the loop has moved on and sees '{0}' as it is then",
            "A for loop has one variable for all its iterations. A delegate that captures it and runs concurrently or later (Task.Run, a thread, a timer, a stored callback) reads the variable when it runs, usually after the loop has changed it, often its final value. Copy it to a local declared inside the loop body and capture the copy.");

        public static readonly DiagnosticDescriptor VolatileReadModifyWrite = Create(
            RuleIdentifiers.VolatileReadModifyWrite,
            "Read-modify-write of a volatile field is not atomic",
            "'{0}' is volatile, but '{1}' reads and writes it in two steps; another thread's update in between is lost",
            "volatile makes each read and each write of a field visible to other threads, but ++, --, += and x = x + k are a read followed by a write: two threads can read the same value and both write back, losing one update. Use Interlocked, which does the whole update atomically.");

        public static readonly DiagnosticDescriptor FireAndForget = Create(
            RuleIdentifiers.FireAndForget,
            "Started task is dropped and cannot be stopped",
            "{0} is started and dropped: nothing awaits it, sees it fail or can cancel it",
            "A task that is started and then dropped (an expression statement or `_ =`) with no cancellation token keeps running after its caller has moved on, shutdown included, and its exceptions go unobserved. Pass it the cancellation token in scope so it can be stopped, or keep the task and await it.");

        public static readonly DiagnosticDescriptor AsyncVoidLambda = Create(
            RuleIdentifiers.FireAndForget,
            "Async lambda passed where a void delegate is expected",
            "This async lambda becomes async void as {0}: the call does not wait for it, nothing can await it, and an exception in it crashes the process",
            "An async lambda converted to Action or another void-returning delegate is async void. The method that receives it returns at the lambda's first await, so loops, Parallel.ForEach and threads run ahead of the work they started, and an unhandled exception is raised on the thread pool, where it ends the process. Use an API that takes a Func<Task> (Parallel.ForEachAsync, Task.Run) and await it.");

        public static readonly DiagnosticDescriptor LoopWithoutCancellation = Create(
            RuleIdentifiers.LoopWithoutCancellation,
            "Background loop has no cancellation exit",
            "This loop in {0} never ends: it checks no cancellation token, passes none to what it calls, and nothing breaks out of it",
            "A `while (true)` or `for (;;)` loop in work that runs in the background (Task.Run, a thread, a timer, a hosted service, an async method started without awaiting) that never looks at a cancellation token and never breaks out keeps running until the process dies: shutdown hangs or leaves it behind, and tests leak it. Check a token in the loop condition and pass it to the calls inside.");

        /// <summary>CONC011 for loops in methods that other methods start in the background, found once the whole compilation is seen.</summary>
        public static readonly DiagnosticDescriptor LoopWithoutCancellationInStartedMethod = Create(
            RuleIdentifiers.LoopWithoutCancellation,
            "Background loop has no cancellation exit",
            "This loop in {0} never ends: it checks no cancellation token, passes none to what it calls, and nothing breaks out of it",
            "A `while (true)` or `for (;;)` loop in a method that runs in the background (started by Task.Run, a thread, a timer or without being awaited, or called from such work) that never looks at a cancellation token and never breaks out keeps running until the process dies. Check a token in the loop condition and pass it to the calls inside.",
            DiagnosticSeverity.Warning,
            true,
            WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor TokenNotPassed = Create(
            RuleIdentifiers.TokenNotPassed,
            "Cancellation token in scope is not passed on",
            "'{0}' can take a CancellationToken; pass '{1}'",
            "When a cancellation token is in scope (a parameter, a local, a field, a lambda's own token, or the Token of a CancellationTokenSource) and a call that accepts one is made without it, cancelling the operation does not stop that call: a delay, a channel read, a lock wait or an HTTP request runs on after everything else has given up. Pass the token, or pass CancellationToken.None to say the call must not be cancelled.");

        public static readonly DiagnosticDescriptor SourceNotDisposed = Create(
            RuleIdentifiers.SourceNotDisposed,
            "CancellationTokenSource with a timer or link is never disposed",
            "{0} {1} and is never disposed; declare it with using",
            "A CancellationTokenSource created with a timeout or CancelAfter holds a timer, and one made by CreateLinkedTokenSource stays registered with the tokens it links, until it is disposed. One that is neither disposed nor handed to another owner keeps those alive, for as long as the linked tokens live, which for an application's stopping token is the life of the process. Declare it with using.");

        /// <summary>CONC013 for a plain source: without a timer or link, not disposing it costs little, so it is a suggestion.</summary>
        public static readonly DiagnosticDescriptor PlainSourceNotDisposed = Create(
            RuleIdentifiers.SourceNotDisposed,
            "CancellationTokenSource is never disposed",
            "{0} {1} and is never disposed; declare it with using",
            "A CancellationTokenSource is IDisposable. A plain one (no timeout, no link) that is never disposed frees its resources only when it is collected, and costs more if its WaitHandle is used. Declare it with using, or hand it to an owner that disposes it.",
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor TimeoutLeavesWorkRunning = Create(
            RuleIdentifiers.TimeoutLeavesWorkRunning,
            "Task.WhenAny timeout leaves the work running",
            "When the Task.Delay wins, {0} keeps running: nothing cancels it after Task.WhenAny",
            "Task.WhenAny(work, Task.Delay(timeout)) stops waiting when the timeout wins, but the work goes on, holding connections, locks and memory, and its failure is never observed. Give the work a token from a CancellationTokenSource and cancel that source after WhenAny, or use work.WaitAsync(timeout, token) together with a token the work observes.");

        public static readonly DiagnosticDescriptor SleepInAsyncCode = Create(
            RuleIdentifiers.SleepInAsyncCode,
            "Thread.Sleep in async code",
            "Thread.Sleep blocks a thread inside {0}; await Task.Delay instead",
            "Thread.Sleep in an async method, async lambda or task-returning method blocks a thread-pool thread for the whole pause. Awaiting Task.Delay frees the thread and can be cancelled.");

        public static readonly DiagnosticDescriptor SleepAsSynchronization = Create(
            RuleIdentifiers.SleepAsSynchronization,
            "Sleep used to wait for started work",
            "{0} waits for {1} by guessing how long it takes; {2}",
            "Sleeping for a fixed time to let work this code started (a task, thread, timer or callback) finish is a race: on a slow or busy machine the work is not done yet. Wait for the work itself: await the task, Task.WaitAll, or Thread.Join.");

        public static readonly DiagnosticDescriptor PollingLoop = Create(
            RuleIdentifiers.PollingLoop,
            "Polling loop sleeps until shared state changes",
            "This loop sleeps until {0} changes; {1}",
            "A loop that sleeps and re-checks a flag, counter or task set by other code wastes a thread, adds latency of up to one sleep interval, and often reads the flag without a memory barrier. Wait on a signal instead: ManualResetEventSlim, TaskCompletionSource, SemaphoreSlim, CountdownEvent, Thread.Join or the task itself.");

        public static readonly DiagnosticDescriptor LockOrder = Create(
            RuleIdentifiers.LockOrder,
            "Locks taken in opposite orders can deadlock",
            "Lock-order cycle: {0}; two threads on these paths at once each hold the lock the other waits for",
            "When one path takes lock A and then lock B while another takes B and then A, two threads that run them at the same time can each get their first lock and wait for ever for the second. Take the locks in one order everywhere (by their nesting, or through the methods called while a lock is held), or do not hold one lock while taking another.",
            DiagnosticSeverity.Warning,
            true,
            WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>CONC030 for one lock field taken on two objects: whether it deadlocks depends on what the callers pass.</summary>
        public static readonly DiagnosticDescriptor LockOrderByArguments = Create(
            RuleIdentifiers.LockOrder,
            "Locks taken in opposite orders can deadlock",
            "'{1}' is taken while '{0}' is held: the same lock on two objects, in the order the callers pass them; two calls with the objects swapped deadlock",
            "Taking the same lock of two objects one inside the other (lock (from.Sync) lock (to.Sync)) deadlocks when two threads do it with the objects the other way round, as a transfer from A to B and one from B to A do. Order the two objects by a stable key (an id) before locking, so that every thread takes them in the same order.",
            DiagnosticSeverity.Info);

        /// <summary>CONC030's graph file could not be written.</summary>
        public static readonly DiagnosticDescriptor LockGraphNotWritten = Create(
            RuleIdentifiers.LockOrder,
            "The lock-order graph could not be written",
            "The lock-order graph could not be written to '{0}': {1}",
            "dotnet_code_quality.CONC030.lock_graph_file names a file the build could not write. Use a path in a folder that exists and can be written.",
            DiagnosticSeverity.Warning,
            true,
            WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor UnsafeLockObject = Create(
            RuleIdentifiers.UnsafeLockObject,
            "Lock on an object other code can lock too",
            "{0} is locked here; {1}",
            "A lock is only as private as the object it is taken on. Code outside the class can lock `this`, a public field, a Type or an interned string and so block the class or deadlock with it, and an object made new for each call is locked by nobody else, so the lock excludes nothing. Lock on a private readonly object that only this class uses.");

        public static readonly DiagnosticDescriptor MutableLockField = Create(
            RuleIdentifiers.MutableLockField,
            "Lock object field is not readonly",
            "'{0}' is used as a lock object but is not readonly{1}; a thread that locks the new object does not exclude one that holds the old",
            "A lock excludes only the threads that lock the same object. When the field that holds the lock object can be assigned, a thread that locks after the assignment takes a different lock from one that locked before, and both run the protected code at once. Make the field readonly, and create the lock object once.");

        public static readonly DiagnosticDescriptor ReleaseNotInFinally = Create(
            RuleIdentifiers.ReleaseNotInFinally,
            "Lock released outside a finally block",
            "'{0}' is released by {1} on line {2}, but not in a finally block; an exception before it leaves the lock held for ever",
            "When the code between taking a lock (Monitor.Enter, SemaphoreSlim.Wait/WaitAsync, ReaderWriterLockSlim.Enter*, Mutex.WaitOne) and releasing it throws, a release that is not in a finally block never runs: every later caller waits for ever. Put the release in the finally of a try that starts right after the acquire, or use a lock statement.");

        public static readonly DiagnosticDescriptor LockCannotExclude = Create(
            RuleIdentifiers.LockCannotExclude,
            "Lock that cannot exclude other threads",
            "{0}",
            "Some locks look right and exclude nothing: Monitor.Enter on a value type boxes it into a new object on every call; a SpinLock is a struct, so one in a readonly field or copied into a local is locked as a copy; and Monitor and Mutex belong to the thread that took them, so after an await resumes on another thread the release throws SynchronizationLockException and the lock stays held.");

        public static readonly DiagnosticDescriptor WriteAfterCompletion = Create(
            RuleIdentifiers.WriteAfterCompletion,
            "Channel written after it was completed",
            "{0}; {1}",
            "Once a ChannelWriter is completed (Complete, TryComplete) it accepts nothing more: WriteAsync throws ChannelClosedException, TryWrite returns false and the item is silently dropped, WaitToWriteAsync returns false. BlockingCollection.Add and TryAdd throw after CompleteAdding. Complete the writer after the last write, for example in a finally after the producing loop, or after every producer has finished.");

        public static readonly DiagnosticDescriptor RepeatedCompletion = Create(
            RuleIdentifiers.RepeatedCompletion,
            "Channel completed more than once or by the wrong side",
            "{0}; {1}",
            "A channel writer is completed exactly once, by the side that knows no more items will come: Complete on an already completed writer throws InvalidOperationException; when each of several producers completes the shared writer, the first one to finish cuts off the others; a consumer that completes the writer makes the producers' writes fail. Complete once, after every producer is done (await Task.WhenAll(producers)), or use TryComplete where several paths may complete.");

        public static readonly DiagnosticDescriptor NeverCompleted = Create(
            RuleIdentifiers.NeverCompleted,
            "Channel read to the end is never completed",
            "{0} reads '{1}' until its writer is completed, but nothing in this compilation completes it; the reader waits forever once the items run out",
            "ReadAllAsync, a WaitToReadAsync loop and GetConsumingEnumerable end only when the writer is completed (Complete, TryComplete, CompleteAdding) or the token passed to them is cancelled. When no code completes the writer and no token is passed, the consumer never finishes, and neither does whatever awaits it. Complete the writer once the producers are done, or pass a cancellation token the consumer stops on.",
            DiagnosticSeverity.Warning,
            true,
            WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor RacyLazyInitialization = Create(
            RuleIdentifiers.RacyLazyInitialization,
            "Lazy initialization that races",
            "'{0}' is initialized on first use without a lock{1}; two threads can both find it unset and both initialize it{2}",
            "Checking a shared field and creating its value when it is unset is two steps: two threads can both see it unset, both create a value, and use different objects (or run the initialization twice). Setting the field before the object is filled in lets another thread use it half built. Use Lazy<T> with LazyThreadSafetyMode.ExecutionAndPublication, or LazyInitializer.EnsureInitialized.");

        public static readonly DiagnosticDescriptor BrokenDoubleCheckedLocking = Create(
            RuleIdentifiers.BrokenDoubleCheckedLocking,
            "Broken double-checked locking",
            "Double-checked locking on '{0}' {1}",
            "Double-checked locking reads the field without the lock first. That read is safe only when the field is volatile (so the object is complete before another thread can see it), when the field is checked again inside the lock (so the second thread in does not create it again), and when the field is set only once the object is fully built. Lazy<T> does all of this.");

        /// <summary>
        /// CONC051 for a non-volatile reference published only once complete: correct on the .NET runtimes'
        /// memory model, not on ECMA-335's, so a suggestion rather than a warning.
        /// </summary>
        public static readonly DiagnosticDescriptor DoubleCheckedLockingNotVolatile = Create(
            RuleIdentifiers.BrokenDoubleCheckedLocking,
            "Double-checked locking on a field that is not volatile",
            "Double-checked locking on '{0}' {1}",
            "Double-checked locking reads the field without the lock. For a reference to an object that is complete before it is stored, the .NET runtimes' memory model makes that read safe, but ECMA-335 does not: on other runtimes the reference can be seen before the object's fields. Make the field volatile, or use Lazy<T>, to be correct everywhere.",
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor CheckThenAct = Create(
            RuleIdentifiers.CheckThenAct,
            "Check-then-act on a concurrent collection",
            "'{0}' is checked with {1} and then {2}; another thread can change it in between; use {3}",
            "Each method of a concurrent collection is atomic, but two calls are not: between ContainsKey or TryGetValue and the indexer, Add or Remove that follow, or between Count and TryDequeue, another thread can add, remove or change the same entry. Use the single atomic method that does both steps: GetOrAdd, AddOrUpdate, TryAdd, TryRemove, TryUpdate, or the result of TryDequeue itself.");

        public static readonly DiagnosticDescriptor RepeatedFactory = Create(
            RuleIdentifiers.RepeatedFactory,
            "GetOrAdd or AddOrUpdate factory with side effects",
            "The factory passed to {0} {1}; it can run more than once for one key when threads race, and only one result is kept",
            "ConcurrentDictionary runs the value factory of GetOrAdd and AddOrUpdate outside its locks, so threads that ask for the same missing key at once each run it, and all but one result are thrown away. A factory that does I/O, starts work, creates a disposable object or changes other state does that more than once. Store Lazy<T> values so that only the winning entry's factory runs.");
    }
}
