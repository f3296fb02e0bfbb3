using System.IO;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.LockOrderAnalyzer,
    ConcurrencyAnalyzers.Rules.LockOrderCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class LockOrderTests
    {
        [Fact]
        public Task A_ledger_that_posts_under_accounts_then_audit_and_flushes_the_other_way_is_swapped_to_one_order()
        {
            const string source = """
                using System.Collections.Generic;

                public class Ledger
                {
                    private readonly object _accounts = new object();
                    private readonly object _audit = new object();
                    private readonly Dictionary<string, decimal> _balances = new();
                    private readonly List<string> _trail = new();

                    public void Post(string account, decimal amount)
                    {
                        lock (_accounts)
                        {
                            _balances[account] = _balances.GetValueOrDefault(account) + amount;
                            lock ({|#0:_audit|})
                            {
                                _trail.Add(account + " " + amount);
                            }
                        }
                    }

                    public string[] FlushAudit()
                    {
                        lock (_audit)
                        {
                            lock ({|#1:_accounts|})
                            {
                                var lines = _trail.ToArray();
                                _trail.Clear();
                                return lines;
                            }
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;

                public class Ledger
                {
                    private readonly object _accounts = new object();
                    private readonly object _audit = new object();
                    private readonly Dictionary<string, decimal> _balances = new();
                    private readonly List<string> _trail = new();

                    public void Post(string account, decimal amount)
                    {
                        lock (_accounts)
                        {
                            _balances[account] = _balances.GetValueOrDefault(account) + amount;
                            lock (_audit)
                            {
                                _trail.Add(account + " " + amount);
                            }
                        }
                    }

                    public string[] FlushAudit()
                    {
                        lock (_accounts)
                        {
                            lock (_audit)
                            {
                                var lines = _trail.ToArray();
                                _trail.Clear();
                                return lines;
                            }
                        }
                    }
                }
                """;
            var test = new Verify.Test { TestCode = source, FixedCode = fixedSource };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1)
                .WithMessage("Lock-order cycle: 'Ledger._accounts' then 'Ledger._audit' here; 'Ledger._audit' then 'Ledger._accounts' in 'Ledger.FlushAudit' (Test0.cs:26); two threads on these paths at once each hold the lock the other waits for"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(0));

            // One fix (the minority side) clears both diagnostics.
            test.NumberOfIncrementalIterations = 1;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        [Fact]
        public Task A_cycle_of_three_locks_across_three_classes_is_reported_at_each_step_without_a_fix()
        {
            const string source = """
                public class Inventory
                {
                    internal readonly object Stock = new object();
                    public Orders Orders = null!;

                    public void Restock()
                    {
                        lock (Stock)
                        {
                            lock ({|#0:Orders.Pending|}) { }
                        }
                    }
                }

                public class Orders
                {
                    internal readonly object Pending = new object();
                    public Billing Billing = null!;

                    public void Submit()
                    {
                        lock (Pending)
                        {
                            lock ({|#1:Billing.Invoices|}) { }
                        }
                    }
                }

                public class Billing
                {
                    internal readonly object Invoices = new object();
                    public Inventory Inventory = null!;

                    public void Refund()
                    {
                        lock (Invoices)
                        {
                            lock ({|#2:Inventory.Stock|}) { }
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1).WithLocation(2)
                    .WithMessage("Lock-order cycle: 'Inventory.Stock' then 'Orders.Pending' here; 'Orders.Pending' then 'Billing.Invoices' in 'Orders.Submit' (Test0.cs:24); 'Billing.Invoices' then 'Inventory.Stock' in 'Billing.Refund' (Test0.cs:38); two threads on these paths at once each hold the lock the other waits for"),
                Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(2).WithLocation(0),
                Verify.Diagnostic("CONC030").WithLocation(2).WithLocation(0).WithLocation(1));
        }

        [Fact]
        public Task A_helper_two_calls_deep_that_takes_the_cache_lock_under_the_index_lock_closes_the_cycle_at_the_call()
        {
            const string source = """
                using System.Collections.Generic;

                public class DocumentCache
                {
                    private readonly object _index = new object();
                    private readonly object _storage = new object();
                    private readonly Dictionary<string, string> _byId = new();
                    private readonly Dictionary<string, string> _files = new();

                    public void Reindex(string id)
                    {
                        lock (_index)
                        {
                            {|#0:Refresh(id)|};
                        }
                    }

                    private void Refresh(string id) => _byId[id] = Load(id);

                    private string Load(string id)
                    {
                        lock (_storage)
                        {
                            return _files.TryGetValue(id, out var text) ? text : string.Empty;
                        }
                    }

                    public void Evict(string id)
                    {
                        lock (_storage)
                        {
                            _files.Remove(id);
                            lock ({|#1:_index|})
                            {
                                _byId.Remove(id);
                            }
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1)
                    .WithMessage("Lock-order cycle: 'DocumentCache._index' then 'DocumentCache._storage' here (taken in 'Refresh' -> 'Load'); 'DocumentCache._storage' then 'DocumentCache._index' in 'DocumentCache.Evict' (Test0.cs:33); two threads on these paths at once each hold the lock the other waits for"),
                Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(0));
        }

        [Fact]
        public Task Opposite_orders_in_two_files_and_two_types_are_found()
        {
            var test = new Verify.Test();
            test.TestState.Sources.Add(("/0/Accounts.cs", """
                public class Accounts
                {
                    internal static readonly object Sync = new object();

                    public static void Close(string id)
                    {
                        lock (Sync)
                        {
                            {|#0:AuditLog.Write("closed " + id)|};
                        }
                    }
                }
                """));
            test.TestState.Sources.Add(("/0/AuditLog.cs", """
                using System.Collections.Generic;

                public static class AuditLog
                {
                    private static readonly object Gate = new object();
                    private static readonly List<string> Lines = new();

                    public static void Write(string line)
                    {
                        lock (Gate) { Lines.Add(line); }
                    }

                    public static void Rotate()
                    {
                        lock (Gate)
                        {
                            lock ({|#1:Accounts.Sync|})
                            {
                                Lines.Clear();
                            }
                        }
                    }
                }
                """));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(0));
            return test.RunAsync();
        }

        [Fact]
        public Task A_semaphore_held_across_await_then_a_lock_and_the_reverse_elsewhere_is_a_cycle_of_mixed_kinds()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class SessionStore
                {
                    private readonly SemaphoreSlim _persist = new SemaphoreSlim(1, 1);
                    private readonly object _sessions = new object();
                    private readonly Dictionary<string, string> _byId = new();

                    public async Task SaveAsync(string id)
                    {
                        await _persist.WaitAsync();
                        try
                        {
                            await Task.Yield();
                            lock ({|#0:_sessions|})
                            {
                                _byId.Remove(id);
                            }
                        }
                        finally
                        {
                            _persist.Release();
                        }
                    }

                    public void Expire(string id)
                    {
                        lock (_sessions)
                        {
                            _byId.Remove(id);
                            {|#1:_persist.Wait()|};
                            _persist.Release();
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1),
                Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(0));
        }

        [Fact]
        public Task A_lambda_that_List_ForEach_runs_under_the_lock_counts_as_taken_under_it()
        {
            const string source = """
                using System.Collections.Generic;

                public class Subscribers
                {
                    private readonly object _list = new object();
                    private readonly object _dispatch = new object();
                    private readonly List<string> _names = new();

                    public void NotifyAll()
                    {
                        lock (_list)
                        {
                            _names.ForEach(name =>
                            {
                                lock ({|#0:_dispatch|}) { System.Console.WriteLine(name); }
                            });
                        }
                    }

                    public void Unsubscribe(string name)
                    {
                        lock (_dispatch)
                        {
                            lock ({|#1:_list|}) { _names.Remove(name); }
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;

                public class Subscribers
                {
                    private readonly object _list = new object();
                    private readonly object _dispatch = new object();
                    private readonly List<string> _names = new();

                    public void NotifyAll()
                    {
                        lock (_list)
                        {
                            _names.ForEach(name =>
                            {
                                lock (_dispatch) { System.Console.WriteLine(name); }
                            });
                        }
                    }

                    public void Unsubscribe(string name)
                    {
                        lock (_list)
                        {
                            lock (_dispatch) { _names.Remove(name); }
                        }
                    }
                }
                """;
            var test = new Verify.Test { TestCode = source, FixedCode = fixedSource };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(0));
            test.NumberOfIncrementalIterations = 1;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        [Fact]
        public Task The_same_order_in_every_method_and_through_helpers_is_not_reported()
        {
            const string source = """
                using System.Collections.Generic;

                public class OrderBook
                {
                    private readonly object _book = new object();
                    private readonly object _trades = new object();
                    private readonly List<string> _bids = new();
                    private readonly List<string> _fills = new();

                    public void Match(string bid)
                    {
                        lock (_book)
                        {
                            _bids.Add(bid);
                            lock (_trades) { _fills.Add(bid); }
                        }
                    }

                    public void Cancel(string bid)
                    {
                        lock (_book)
                        {
                            _bids.Remove(bid);
                            RecordCancel(bid);
                        }
                    }

                    private void RecordCancel(string bid)
                    {
                        lock (_trades) { _fills.Add("cancel " + bid); }
                    }

                    public int Fills()
                    {
                        lock (_trades) { return _fills.Count; }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Reentry_sequential_locks_stored_or_started_lambdas_and_TryEnter_with_back_off_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class JobScheduler
                {
                    private readonly object _queue = new object();
                    private readonly object _workers = new object();
                    private readonly List<Action> _onIdle = new();
                    private int _pending;
                    private int _busy;

                    public void Enqueue()
                    {
                        lock (_queue)
                        {
                            lock (_queue) { _pending++; }
                            _onIdle.Add(() => { lock (_workers) { _busy = 0; } });
                            Task.Run(() => { lock (_workers) { _busy++; } });
                        }
                    }

                    public void Rebalance()
                    {
                        lock (_workers) { _busy--; }
                        lock (_queue) { _pending--; }
                    }

                    public bool TryDrain()
                    {
                        lock (_workers)
                        {
                            if (!Monitor.TryEnter(_queue, TimeSpan.FromMilliseconds(50)))
                            {
                                return false;
                            }

                            try { _pending = 0; }
                            finally { Monitor.Exit(_queue); }
                            return true;
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Locking_two_accounts_in_argument_order_is_reported_as_a_suggestion()
        {
            const string source = """
                public class Account
                {
                    private readonly object _sync = new object();
                    public int Id { get; init; }
                    public decimal Balance { get; private set; }

                    public static void Transfer(Account from, Account to, decimal amount)
                    {
                        lock (from._sync)
                        {
                            lock ({|#0:to._sync|})
                            {
                                from.Balance -= amount;
                                to.Balance += amount;
                            }
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC030").WithLocation(0).WithSeverity(DiagnosticSeverity.Info)
                    .WithMessage("'to._sync' is taken while 'from._sync' is held: the same lock on two objects, in the order the callers pass them; two calls with the objects swapped deadlock"));
        }

        [Fact]
        public Task Locking_two_accounts_ordered_by_id_or_the_same_account_twice_is_not_reported()
        {
            const string source = """
                public class Account
                {
                    private readonly object _sync = new object();
                    public int Id { get; init; }
                    public decimal Balance { get; private set; }

                    public static void Transfer(Account from, Account to, decimal amount)
                    {
                        var first = from.Id < to.Id ? from : to;
                        var second = from.Id < to.Id ? to : from;
                        lock (first._sync)
                        {
                            lock (second._sync)
                            {
                                from.Balance -= amount;
                                to.Balance += amount;
                            }
                        }
                    }

                    public static void Swap(Account a, Account b)
                    {
                        if (a.Id < b.Id)
                        {
                            lock (a._sync) { lock (b._sync) { (a.Balance, b.Balance) = (b.Balance, a.Balance); } }
                        }
                        else
                        {
                            lock (b._sync) { lock (a._sync) { (a.Balance, b.Balance) = (b.Balance, a.Balance); } }
                        }
                    }

                    public void Deposit(decimal amount)
                    {
                        lock (_sync)
                        {
                            lock (this._sync) { Balance += amount; }
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public async Task The_graph_option_writes_the_lock_order_graph_as_Mermaid_with_the_cycle_in_red()
        {
            const string source = """
                public class Ledger
                {
                    private readonly object _accounts = new object();
                    private readonly object _audit = new object();

                    public void Post() { lock (_accounts) { lock ({|#0:_audit|}) { } } }

                    public void Flush() { lock (_audit) { lock ({|#1:_accounts|}) { } } }
                }
                """;
            var path = Path.Combine(Path.GetTempPath(), "conc030-" + System.Guid.NewGuid().ToString("N") + ".md");
            var test = new Verify.Test { TestCode = source };
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\ndotnet_code_quality.CONC030.lock_graph_file = " + path + "\n"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(0).WithLocation(1));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC030").WithLocation(1).WithLocation(0));
            await test.RunAsync();

            var graph = File.ReadAllText(path);
            File.Delete(path);
            Assert.Equal(
                "```mermaid\nflowchart LR\n    L0[\"Ledger._accounts\"]\n    L1[\"Ledger._audit\"]\n    L0 -->|Ledger.Post| L1\n    L1 -->|Ledger.Flush| L0\n    linkStyle 0,1 stroke:#d00,stroke-width:3px\n```\n",
                graph);
        }

        [Fact]
        public Task Work_started_without_waiting_and_callbacks_handed_to_a_dispatcher_order_nothing_under_the_lock()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public interface IDispatcher { void Dispatch(Action action); }

                public class AuditBuffer
                {
                    private readonly object _sync = new object();
                    private readonly object _ui = new object();
                    private readonly SemaphoreSlim _flushGate = new SemaphoreSlim(1, 1);
                    private readonly List<string> _lines = new();
                    private readonly IDispatcher _dispatcher;

                    public AuditBuffer(IDispatcher dispatcher) => _dispatcher = dispatcher;

                    public void Log(string line)
                    {
                        lock (_sync)
                        {
                            _lines.Add(line);
                            if (_lines.Count > 100) _ = FlushAsync();
                            _dispatcher.Dispatch(() => { lock (_ui) { Console.WriteLine(line); } });
                        }
                    }

                    private async Task FlushAsync()
                    {
                        await _flushGate.WaitAsync();
                        try
                        {
                            lock (_sync) { _lines.Clear(); }
                        }
                        finally
                        {
                            _flushGate.Release();
                        }
                    }

                    public void Repaint()
                    {
                        lock (_ui)
                        {
                            lock (_sync) { Console.WriteLine(_lines.Count); }
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_constructor_that_takes_its_own_lock_before_a_shared_one_is_not_an_order()
        {
            const string source = """
                using System.Collections.Generic;

                public class Session
                {
                    private static readonly object s_registry = new object();
                    private static readonly List<Session> s_all = new();
                    private readonly object _sync = new object();

                    public Session()
                    {
                        lock (_sync)
                        {
                            lock (s_registry) { s_all.Add(this); }
                        }
                    }

                    public static void CloseAll()
                    {
                        lock (s_registry)
                        {
                            foreach (var session in s_all)
                            {
                                lock (session._sync) { }
                            }
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
