using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.ReleaseNotInFinallyAnalyzer,
    ConcurrencyAnalyzers.Rules.ReleaseNotInFinallyCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class ReleaseNotInFinallyTests
    {
        [Fact]
        public Task Monitor_Enter_then_Exit_after_code_that_can_throw_becomes_a_lock_statement()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class PriceBook
                {
                    private readonly object _gate = new object();
                    private readonly Dictionary<string, decimal> _prices = new();

                    public void Update(string sku, string price)
                    {
                        {|#0:Monitor.Enter(_gate)|};
                        _prices[sku] = decimal.Parse(price);
                        {|#1:Monitor.Exit(_gate)|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;

                public class PriceBook
                {
                    private readonly object _gate = new object();
                    private readonly Dictionary<string, decimal> _prices = new();

                    public void Update(string sku, string price)
                    {
                        lock (_gate)
                        {
                            _prices[sku] = decimal.Parse(price);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC033").WithLocation(0).WithLocation(1)
                    .WithMessage("'_gate' is released by Monitor.Exit on line 13, but not in a finally block; an exception before it leaves the lock held for ever"));
        }

        [Fact]
        public Task Monitor_Enter_can_also_be_fixed_with_try_finally()
        {
            const string source = """
                using System.Threading;

                public class Counter
                {
                    private readonly object _gate = new object();
                    private int _value;

                    public void Add(string amount)
                    {
                        {|#0:Monitor.Enter(_gate)|};
                        _value += int.Parse(amount);
                        {|#1:Monitor.Exit(_gate)|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class Counter
                {
                    private readonly object _gate = new object();
                    private int _value;

                    public void Add(string amount)
                    {
                        Monitor.Enter(_gate);
                        try
                        {
                            _value += int.Parse(amount);
                        }
                        finally
                        {
                            Monitor.Exit(_gate);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, "ReleaseNotInFinallyCodeFix.Finally",
                Verify.Diagnostic("CONC033").WithLocation(0).WithLocation(1));
        }

        [Fact]
        public Task An_upload_throttle_released_after_an_await_that_can_throw_gets_a_finally()
        {
            const string source = """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Uploader
                {
                    private readonly SemaphoreSlim _throttle = new SemaphoreSlim(4);

                    public async Task UploadAsync(Stream source, Stream target, CancellationToken cancellationToken)
                    {
                        await {|#0:_throttle.WaitAsync(cancellationToken)|}.ConfigureAwait(false);
                        var buffer = new byte[81920];
                        await source.CopyToAsync(target, buffer.Length, cancellationToken).ConfigureAwait(false);
                        {|#1:_throttle.Release()|};
                    }
                }
                """;
            const string fixedSource = """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Uploader
                {
                    private readonly SemaphoreSlim _throttle = new SemaphoreSlim(4);

                    public async Task UploadAsync(Stream source, Stream target, CancellationToken cancellationToken)
                    {
                        await _throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            var buffer = new byte[81920];
                            await source.CopyToAsync(target, buffer.Length, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            _throttle.Release();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC033").WithLocation(0).WithLocation(1));
        }

        [Fact]
        public Task A_write_lock_whose_local_is_used_after_the_release_is_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class Catalog
                {
                    private readonly ReaderWriterLockSlim _lock = new ReaderWriterLockSlim();
                    private readonly Dictionary<string, int> _stock = new();

                    public int Restock(string sku, int amount)
                    {
                        {|#0:_lock.EnterWriteLock()|};
                        var total = _stock.GetValueOrDefault(sku) + amount;
                        _stock[sku] = total;
                        {|#1:_lock.ExitWriteLock()|};
                        return total;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source, Verify.Diagnostic("CONC033").WithLocation(0).WithLocation(1));
        }

        [Fact]
        public Task Releases_in_finally_lockTaken_timeouts_and_releasers_in_other_methods_are_not_reported()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Gatekeeper
                {
                    private readonly object _gate = new object();
                    private readonly SemaphoreSlim _mutex = new SemaphoreSlim(1, 1);
                    private readonly Mutex _file = new Mutex();
                    private int _value;

                    public void Add()
                    {
                        Monitor.Enter(_gate);
                        try { _value++; }
                        finally { Monitor.Exit(_gate); }
                    }

                    public void AddSafely()
                    {
                        var taken = false;
                        try
                        {
                            Monitor.Enter(_gate, ref taken);
                            _value++;
                        }
                        finally
                        {
                            if (taken) Monitor.Exit(_gate);
                        }
                    }

                    public async Task<bool> TryAddAsync()
                    {
                        if (!await _mutex.WaitAsync(TimeSpan.FromSeconds(1)))
                        {
                            return false;
                        }

                        try { _value++; return true; }
                        finally { _mutex.Release(); }
                    }

                    public async Task<IDisposable> AcquireAsync()
                    {
                        await _mutex.WaitAsync();
                        return new Releaser(_mutex);
                    }

                    public void WriteFile()
                    {
                        _file.WaitOne();
                        try { _value = 0; }
                        finally { _file.ReleaseMutex(); }
                    }

                    private sealed class Releaser : IDisposable
                    {
                        private readonly SemaphoreSlim _semaphore;
                        public Releaser(SemaphoreSlim semaphore) => _semaphore = semaphore;
                        public void Dispose() => _semaphore.Release();
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_lease_released_only_when_building_it_fails_is_not_reported()
        {
            const string source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class AsyncLock
                {
                    private readonly SemaphoreSlim _semaphore = new SemaphoreSlim(1, 1);

                    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
                    {
                        await _semaphore.WaitAsync(cancellationToken);
                        try
                        {
                            return new Releaser(_semaphore);
                        }
                        catch
                        {
                            _semaphore.Release();
                            throw;
                        }
                    }

                    private sealed class Releaser : IDisposable
                    {
                        private readonly SemaphoreSlim _semaphore;
                        public Releaser(SemaphoreSlim semaphore) => _semaphore = semaphore;
                        public void Dispose() => _semaphore.Release();
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Two_accounts_locked_and_released_without_finally_are_each_paired_with_their_own_release_and_fixed_together()
        {
            const string source = """
                using System.Threading;

                public class Account
                {
                    private readonly object _sync = new object();
                    private decimal _balance;

                    public static void Transfer(Account from, Account to, decimal amount)
                    {
                        {|#0:Monitor.Enter(from._sync)|};
                        from._balance -= amount;
                        {|#1:Monitor.Exit(from._sync)|};
                        {|#2:Monitor.Enter(to._sync)|};
                        to._balance += decimal.Round(amount, 2);
                        {|#3:Monitor.Exit(to._sync)|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class Account
                {
                    private readonly object _sync = new object();
                    private decimal _balance;

                    public static void Transfer(Account from, Account to, decimal amount)
                    {
                        lock (from._sync)
                        {
                            from._balance -= amount;
                        }
                        lock (to._sync)
                        {
                            to._balance += decimal.Round(amount, 2);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC033").WithLocation(0).WithLocation(1),
                Verify.Diagnostic("CONC033").WithLocation(2).WithLocation(3));
        }
    }
}
