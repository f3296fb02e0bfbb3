using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.InconsistentLockingAnalyzer,
    ConcurrencyAnalyzers.Rules.InconsistentLockingCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class InconsistentLockingTests
    {
        [Fact]
        public Task A_cache_size_reset_without_the_lock_its_updates_hold_is_wrapped_in_that_lock()
        {
            const string source = """
                using System.Collections.Generic;

                public class LruCache
                {
                    private readonly object _gate = new object();
                    private readonly Dictionary<string, string> _entries = new();
                    private int _size;
                    private long _evictions;

                    public LruCache() { _size = 0; }

                    public void Put(string key, string value)
                    {
                        lock (_gate)
                        {
                            _entries[key] = value;
                            _size++;
                            if (_size > 100) Evict();
                        }
                    }

                    public void Clear()
                    {
                        {|#0:_size = 0|};
                        lock (_gate) { _entries.Clear(); }
                    }

                    private void Evict()
                    {
                        _size--;
                        _evictions++;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;

                public class LruCache
                {
                    private readonly object _gate = new object();
                    private readonly Dictionary<string, string> _entries = new();
                    private int _size;
                    private long _evictions;

                    public LruCache() { _size = 0; }

                    public void Put(string key, string value)
                    {
                        lock (_gate)
                        {
                            _entries[key] = value;
                            _size++;
                            if (_size > 100) Evict();
                        }
                    }

                    public void Clear()
                    {
                        lock (_gate)
                        {
                            _size = 0;
                        }
                        lock (_gate) { _entries.Clear(); }
                    }

                    private void Evict()
                    {
                        _size--;
                        _evictions++;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC003").WithLocation(0).WithLocation(17, 13).WithArguments("_size", "_gate", "Put"));
        }

        [Fact]
        public Task A_counter_written_under_a_semaphore_and_bumped_without_it_is_reported_without_a_fix()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class UploadQueue
                {
                    private readonly SemaphoreSlim _mutex = new SemaphoreSlim(1, 1);
                    private int _pending;

                    public async Task EnqueueAsync()
                    {
                        await _mutex.WaitAsync();
                        try
                        {
                            _pending++;
                        }
                        finally
                        {
                            _mutex.Release();
                        }
                    }

                    public void MarkDone() => [|_pending--|];
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task Consistent_locking_constructors_locked_helpers_and_unlocked_reads_are_fine()
        {
            const string source = """
                using System.Threading;

                public class Account
                {
                    private readonly object _sync = new object();
                    private decimal _balance;
                    private int _version;
                    private int _reads;

                    public Account(decimal opening)
                    {
                        _balance = opening;
                        Bump();
                    }

                    public void Deposit(decimal amount)
                    {
                        lock (_sync)
                        {
                            _balance += amount;
                            Bump();
                        }
                    }

                    public void Withdraw(decimal amount)
                    {
                        Monitor.Enter(_sync);
                        try
                        {
                            _balance -= amount;
                            Bump();
                        }
                        finally
                        {
                            Monitor.Exit(_sync);
                        }
                    }

                    public decimal Peek() => _balance;

                    public void CountRead() => Interlocked.Increment(ref _reads);

                    private void Bump() => _version++;
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
