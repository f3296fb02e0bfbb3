namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Every diagnostic id the package reports. Ids are stable: once shipped, an id never changes meaning
    /// (see the rule catalogue). Families are decades.
    /// </summary>
    internal static class RuleIdentifiers
    {
        // CONC00x: shared state (data races).
        public const string UnsynchronizedWrite = "CONC001";
        public const string UnsafeCollectionMutation = "CONC002";
        public const string InconsistentLocking = "CONC003";
        public const string LoopVariableCapture = "CONC004";
        public const string VolatileReadModifyWrite = "CONC005";

        // CONC01x: task lifetime and cancellation (leaks).
        public const string FireAndForget = "CONC010";
        public const string LoopWithoutCancellation = "CONC011";
        public const string TokenNotPassed = "CONC012";
        public const string SourceNotDisposed = "CONC013";
        public const string TimeoutLeavesWorkRunning = "CONC014";

        // CONC02x: sleeping instead of synchronizing.
        public const string SleepInAsyncCode = "CONC020";
        public const string SleepAsSynchronization = "CONC021";
        public const string PollingLoop = "CONC022";

        // CONC03x: locks.
        public const string LockOrder = "CONC030";
        public const string UnsafeLockObject = "CONC031";
        public const string MutableLockField = "CONC032";
        public const string ReleaseNotInFinally = "CONC033";
        public const string LockCannotExclude = "CONC034";

        // CONC04x: channels and producer/consumer completion.
        public const string WriteAfterCompletion = "CONC040";
        public const string RepeatedCompletion = "CONC041";
        public const string NeverCompleted = "CONC042";

        // CONC05x: one-time initialization and concurrent collections.
        public const string RacyLazyInitialization = "CONC050";
        public const string BrokenDoubleCheckedLocking = "CONC051";
        public const string CheckThenAct = "CONC052";
        public const string RepeatedFactory = "CONC053";
    }
}
