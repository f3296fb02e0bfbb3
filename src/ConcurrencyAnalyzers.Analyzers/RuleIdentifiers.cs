namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Every diagnostic id the package reports. Ids are stable: once shipped, an id never changes meaning
    /// (see the rule catalogue). Families are decades.
    /// </summary>
    internal static class RuleIdentifiers
    {
        // CONC02x: sleeping instead of synchronizing.
        public const string SleepInAsyncCode = "CONC020";
        public const string SleepAsSynchronization = "CONC021";
        public const string PollingLoop = "CONC022";
    }
}
