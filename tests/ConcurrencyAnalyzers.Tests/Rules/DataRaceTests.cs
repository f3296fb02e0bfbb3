using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.DataRaceAnalyzer,
    ConcurrencyAnalyzers.Rules.DataRaceCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class DataRaceTests
    {
        private const string UseInterlocked = "DataRaceCodeFix.CONC001.Interlocked";
        private const string UseLock = "DataRaceCodeFix.CONC001.Lock";
        private const string UseLockForCollection = "DataRaceCodeFix.CONC002.Lock";
        private const string UseConcurrentCollection = "DataRaceCodeFix.CONC002.ConcurrentCollection";

        [Fact]
        public Task A_total_summed_in_a_Parallel_ForEach_body_becomes_Interlocked_Add()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public record Order(long Cents);

                public class RevenueReport
                {
                    private long _totalCents;

                    public long Sum(IEnumerable<Order> orders)
                    {
                        Parallel.ForEach(orders, order =>
                        {
                            {|#0:_totalCents += order.Cents|};
                        });
                        return _totalCents;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public record Order(long Cents);

                public class RevenueReport
                {
                    private long _totalCents;

                    public long Sum(IEnumerable<Order> orders)
                    {
                        Parallel.ForEach(orders, order =>
                        {
                            Interlocked.Add(ref _totalCents, order.Cents);
                        });
                        return _totalCents;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, UseInterlocked,
                Verify.Diagnostic("CONC001").WithLocation(0).WithArguments(
                    "_totalCents", "updated in place", "", "in a Parallel.ForEach body that runs on several threads at once"));
        }

        [Fact]
        public Task The_same_race_can_be_fixed_with_the_lock_the_type_already_uses()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class RevenueReport
                {
                    private readonly object _gate = new object();
                    private decimal _total;

                    public void Reset()
                    {
                        lock (_gate)
                        {
                            _total = 0;
                        }
                    }

                    public decimal Sum(IEnumerable<decimal> amounts)
                    {
                        Parallel.ForEach(amounts, amount =>
                        {
                            {|CONC001:_total += amount|};
                        });
                        return _total;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class RevenueReport
                {
                    private readonly object _gate = new object();
                    private decimal _total;

                    public void Reset()
                    {
                        lock (_gate)
                        {
                            _total = 0;
                        }
                    }

                    public decimal Sum(IEnumerable<decimal> amounts)
                    {
                        Parallel.ForEach(amounts, amount =>
                        {
                            lock (_gate)
                            {
                                _total += amount;
                            }
                        });
                        return _total;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, UseLock);
        }

        [Fact]
        public Task A_static_request_counter_bumped_by_tasks_started_in_a_loop_is_a_lost_update()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public static class Crawler
                {
                    private static int s_fetched;

                    public static async Task CrawlAsync(IEnumerable<string> urls)
                    {
                        var work = new List<Task>();
                        foreach (var url in urls)
                        {
                            work.Add(Task.Run(() =>
                            {
                                Fetch(url);
                                {|#0:s_fetched++|};
                            }));
                        }

                        await Task.WhenAll(work);
                    }

                    private static void Fetch(string url) { }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public static class Crawler
                {
                    private static int s_fetched;

                    public static async Task CrawlAsync(IEnumerable<string> urls)
                    {
                        var work = new List<Task>();
                        foreach (var url in urls)
                        {
                            work.Add(Task.Run(() =>
                            {
                                Fetch(url);
                                Interlocked.Increment(ref s_fetched);
                            }));
                        }

                        await Task.WhenAll(work);
                    }

                    private static void Fetch(string url) { }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, UseInterlocked,
                Verify.Diagnostic("CONC001").WithLocation(0).WithArguments(
                    "s_fetched", "incremented", "", "in the Task.Run work started on every loop iteration, so several copies run at once"));
        }

        [Fact]
        public Task A_captured_counter_and_a_localFinally_merge_are_races_but_the_per_worker_state_is_not()
        {
            const string source = """
                using System.Threading.Tasks;

                public static class Primes
                {
                    public static (int Found, long Sum) Count(int limit)
                    {
                        var found = 0;
                        long sum = 0;
                        Parallel.For(0, limit,
                            () => 0L,
                            (n, state, subtotal) =>
                            {
                                if (IsPrime(n))
                                {
                                    {|CONC001:found++|};
                                    subtotal += n;
                                }
                                return subtotal;
                            },
                            subtotal => {|CONC001:sum += subtotal|});
                        return (found, sum);
                    }

                    private static bool IsPrime(int n) => n > 1;
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Threading.Tasks;

                public static class Primes
                {
                    public static (int Found, long Sum) Count(int limit)
                    {
                        var found = 0;
                        long sum = 0;
                        Parallel.For(0, limit,
                            () => 0L,
                            (n, state, subtotal) =>
                            {
                                if (IsPrime(n))
                                {
                                    Interlocked.Increment(ref found);
                                    subtotal += n;
                                }
                                return subtotal;
                            },
                            subtotal => Interlocked.Add(ref sum, subtotal));
                        return (found, sum);
                    }

                    private static bool IsPrime(int n) => n > 1;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, UseInterlocked);
        }

        [Fact]
        public Task A_write_in_a_helper_called_from_the_parallel_body_is_reported_at_the_call_and_locked_there()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Importer
                {
                    private int _imported;
                    private int _rejected;

                    public void ImportAll(IEnumerable<string> rows)
                    {
                        Parallel.ForEach(rows, row =>
                        {
                            if (row.Length > 0)
                                {|#0:Record(accepted: true)|};
                        });
                    }

                    private void Record(bool accepted)
                    {
                        if (accepted)
                            {|#1:_imported++|};
                        else
                            {|#2:_rejected++|};
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Importer
                {
                    private readonly object _sync = new object();
                    private int _imported;
                    private int _rejected;

                    public void ImportAll(IEnumerable<string> rows)
                    {
                        Parallel.ForEach(rows, row =>
                        {
                            if (row.Length > 0)
                                lock (_sync)
                                {
                                    Record(accepted: true);
                                }
                        });
                    }

                    private void Record(bool accepted)
                    {
                        if (accepted)
                            _imported++;
                        else
                            _rejected++;
                    }
                }
                """;
            var test = new Verify.Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = UseLock };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC001").WithLocation(0).WithLocation(1).WithArguments(
                "_imported", "incremented", " in 'Record' (called here)", "in a Parallel.ForEach body that runs on several threads at once"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC001").WithLocation(0).WithLocation(2).WithArguments(
                "_rejected", "incremented", " in 'Record' (called here)", "in a Parallel.ForEach body that runs on several threads at once"));
            test.NumberOfIncrementalIterations = 1;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        [Fact]
        public Task Work_that_keeps_running_while_the_starting_method_writes_the_same_balance_races_with_it()
        {
            const string source = """
                using System.Threading.Tasks;

                public class Wallet
                {
                    private decimal _balance;

                    public async Task TopUpAndChargeAsync(decimal topUp, decimal fee)
                    {
                        var deposit = Task.Run(() => {|#0:_balance += topUp|});
                        {|#1:_balance -= fee|};
                        await deposit;
                    }

                    public async Task ChargeAfterwardsAsync(decimal topUp, decimal fee)
                    {
                        var deposit = Task.Run(() => _balance += topUp);
                        await deposit;
                        _balance -= fee;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source,
                Verify.Diagnostic("CONC001").WithLocation(0).WithLocation(10, 9).WithArguments(
                    "_balance", "updated in place", "", "in the Task.Run work while 'TopUpAndChargeAsync' also uses it (line 10) before waiting for the work"),
                Verify.Diagnostic("CONC001").WithLocation(1).WithLocation(0).WithArguments(
                    "_balance", "updated in place", "", "while the Task.Run work started on line 9 may still be using it"));
        }

        [Fact]
        public Task Two_tasks_and_two_Parallel_Invoke_actions_writing_one_counter_race_with_each_other()
        {
            const string source = """
                using System.Threading.Tasks;

                public class Inventory
                {
                    private int _stock;
                    private int _reserved;
                    private int _shipped;

                    public Task RestockAndSellAsync()
                    {
                        var restock = Task.Run(() => {|CONC001:_stock += 10|});
                        var sell = Task.Run(() => {|CONC001:_stock--|});
                        return Task.WhenAll(restock, sell);
                    }

                    public void ReserveAndShip()
                    {
                        Parallel.Invoke(() => {|CONC001:_reserved++|}, () => {|CONC001:_reserved--|});
                        Parallel.Invoke(() => _reserved++, () => _shipped++);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_List_filled_from_a_parallel_loop_is_CONC002_and_is_locked()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;

                public class ThumbnailBuilder
                {
                    public List<string> Build(string[] images)
                    {
                        var thumbnails = new List<string>();
                        images.AsParallel().ForAll(image =>
                        {
                            var thumbnail = image + ".thumb";
                            {|#0:thumbnails.Add(thumbnail)|};
                        });
                        return thumbnails;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;

                public class ThumbnailBuilder
                {
                    private readonly object _sync = new object();

                    public List<string> Build(string[] images)
                    {
                        var thumbnails = new List<string>();
                        images.AsParallel().ForAll(image =>
                        {
                            var thumbnail = image + ".thumb";
                            lock (_sync)
                            {
                                thumbnails.Add(thumbnail);
                            }
                        });
                        return thumbnails;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, UseLockForCollection,
                Verify.Diagnostic("CONC002").WithLocation(0).WithArguments(
                    "List<string>", "thumbnails", "changed by Add", "", "in a PLINQ ForAll delegate that runs on several threads at once"));
        }

        [Fact]
        public Task A_dictionary_cache_filled_by_tasks_and_read_by_the_starter_before_waiting_races()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class RateCache
                {
                    private readonly Dictionary<string, decimal> _rates = new();

                    public async Task<int> RefreshAsync(string[] currencies)
                    {
                        var tasks = new List<Task>();
                        foreach (var currency in currencies)
                        {
                            tasks.Add(Task.Run(() => {|CONC002:_rates[currency] = Lookup(currency)|}));
                        }

                        await Task.WhenAll(tasks);
                        return _rates.Count;
                    }

                    public async Task<bool> PeekAsync()
                    {
                        var load = Task.Run(() => {|CONC002:_rates.Add("EUR", 1m)|});
                        var known = _rates.ContainsKey("USD");
                        await load;
                        return known;
                    }

                    private static decimal Lookup(string currency) => 1m;
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task The_lock_goes_inside_an_expression_bodied_lambda_where_the_work_runs_not_around_the_start()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;

                public class ReportJob
                {
                    private readonly List<string> _lines = new List<string>();
                    private readonly HashSet<int> _seen = new HashSet<int>();

                    public int Build(int[] parts)
                    {
                        var added = parts.AsParallel().Select(p => {|CONC002:_seen.Add(p)|}).Count(isNew => isNew);
                        Parallel.ForEach(parts, p => {|CONC002:_lines.Add(p.ToString())|});
                        return added + _lines.Count;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;

                public class ReportJob
                {
                    private readonly object _sync = new object();
                    private readonly List<string> _lines = new List<string>();
                    private readonly HashSet<int> _seen = new HashSet<int>();

                    public int Build(int[] parts)
                    {
                        var added = parts.AsParallel().Select(p => { lock (_sync) { return _seen.Add(p); } }).Count(isNew => isNew);
                        Parallel.ForEach(parts, p => { lock (_sync) { _lines.Add(p.ToString()); } });
                        return added + _lines.Count;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource, UseLockForCollection);
        }

        [Fact]
        public Task A_private_dictionary_cache_used_only_in_compatible_ways_becomes_a_ConcurrentDictionary()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class RateCache
                {
                    private readonly Dictionary<string, decimal> _rates = new Dictionary<string, decimal>();

                    public async Task RefreshAsync(string[] currencies)
                    {
                        var tasks = new List<Task>();
                        foreach (var currency in currencies)
                        {
                            tasks.Add(Task.Run(() =>
                            {
                                {|CONC002:_rates[currency] = Lookup(currency)|};
                                {|CONC002:_rates.Remove(currency + "-old")|};
                            }));
                        }

                        await Task.WhenAll(tasks);
                    }

                    public void Seed() => _rates.Add("EUR", 1m);

                    public bool TryGet(string currency, out decimal rate) => _rates.TryGetValue(currency, out rate);

                    public int Count => _rates.Count;

                    private static decimal Lookup(string currency) => 1m;
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class RateCache
                {
                    private readonly ConcurrentDictionary<string, decimal> _rates = new ConcurrentDictionary<string, decimal>();

                    public async Task RefreshAsync(string[] currencies)
                    {
                        var tasks = new List<Task>();
                        foreach (var currency in currencies)
                        {
                            tasks.Add(Task.Run(() =>
                            {
                                _rates[currency] = Lookup(currency);
                                _rates.TryRemove(currency + "-old", out _);
                            }));
                        }

                        await Task.WhenAll(tasks);
                    }

                    public void Seed() => _rates.TryAdd("EUR", 1m);

                    public bool TryGet(string currency, out decimal rate) => _rates.TryGetValue(currency, out rate);

                    public int Count => _rates.Count;

                    private static decimal Lookup(string currency) => 1m;
                }
                """;
            var test = new Verify.Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = UseConcurrentCollection };
            test.NumberOfIncrementalIterations = 1;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        [Fact]
        public Task A_list_whose_items_are_read_by_index_is_not_offered_a_ConcurrentBag()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Samples
                {
                    private readonly List<double> _samples = new List<double>();

                    public void Collect(double[] readings) => Parallel.ForEach(readings, r => {|CONC002:_samples.Add(r)|});

                    public double First => _samples[0];
                }
                """;
            return Verify.VerifyCodeFixAsync(source, source, UseConcurrentCollection);
        }

        [Fact]
        public Task An_immutable_snapshot_rebuilt_in_a_parallel_body_loses_updates_and_gets_no_Interlocked_Exchange()
        {
            const string source = """
                using System.Collections.Immutable;
                using System.Threading.Tasks;

                public class Registry
                {
                    private ImmutableList<string> _names = ImmutableList<string>.Empty;

                    public void RegisterAll(string[] names)
                    {
                        Parallel.ForEach(names, name => {|CONC001:_names = _names.Add(name)|});
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, source, UseInterlocked);
        }

        [Fact]
        public Task Locked_Interlocked_thread_local_and_per_item_versions_are_quiet()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Collections.Immutable;
                using System.Threading;
                using System.Threading.Tasks;

                public class Item { public int Views; }

                public class Stats
                {
                    private readonly object _sync = new object();
                    private readonly ThreadLocal<int> _perThread = new ThreadLocal<int>();
                    private readonly ConcurrentDictionary<string, int> _byName = new();
                    private readonly ConcurrentBag<int> _seen = new();
                    [ThreadStatic] private static int t_depth;
                    private int _locked;
                    private int _atomic;
                    private ImmutableList<int> _snapshot = ImmutableList<int>.Empty;

                    public void Run(Item[] items, int[] values)
                    {
                        var squares = new int[values.Length];
                        Parallel.For(0, values.Length, i =>
                        {
                            var local = values[i];
                            local++;
                            squares[i] = local * local;
                            lock (_sync) { _locked += local; }
                            Interlocked.Add(ref _atomic, local);
                            _perThread.Value++;
                            t_depth++;
                            _byName.AddOrUpdate("n", 1, (_, n) => n + 1);
                            _seen.Add(local);
                            ImmutableInterlocked.Update(ref _snapshot, s => s.Add(local));
                        });

                        Parallel.ForEach(items, item => item.Views++);
                    }

                    public async Task<int> CollectAfterwardsAsync(int[] values)
                    {
                        var results = new List<int>();
                        results.Add(0);
                        var tasks = new List<Task<int>>();
                        foreach (var value in values)
                        {
                            tasks.Add(Task.Run(() => value * 2));
                        }

                        foreach (var result in await Task.WhenAll(tasks))
                        {
                            results.Add(result);
                        }

                        return results.Count;
                    }

                    public async Task AwaitedOnTheSpotAsync()
                    {
                        await Task.Run(() => _locked++);
                        _locked++;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_write_after_the_finally_that_releases_the_lock_is_unprotected_again()
        {
            const string source = """
                using System.Threading;
                using System.Threading.Tasks;

                public class Ledger
                {
                    private readonly object _sync = new object();
                    private readonly Mutex _fileLock = new Mutex();
                    private int _entries;
                    private int _flushes;
                    private int _written;

                    public void Post(int[] amounts)
                    {
                        Parallel.ForEach(amounts, amount =>
                        {
                            Monitor.Enter(_sync);
                            try
                            {
                                _entries++;
                            }
                            finally
                            {
                                Monitor.Exit(_sync);
                            }

                            {|CONC001:_flushes++|};

                            _fileLock.WaitOne();
                            try
                            {
                                _written += amount;
                            }
                            finally
                            {
                                _fileLock.ReleaseMutex();
                            }
                        });
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Per_iteration_objects_joined_iterations_inline_WhenAll_continuations_and_other_objects_are_not_races()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Job { public int Attempts; }

                public class Downloader
                {
                    private long _bytes;
                    public void Download() => _bytes += 10;
                }

                public class Cache
                {
                    private readonly List<string> _entries = new List<string>();
                    public void Reload() => _entries.Clear();
                }

                public class Scheduler
                {
                    private readonly object _sync = new object();
                    private readonly Cache _users = new Cache();
                    private readonly Cache _orders = new Cache();
                    private readonly List<int> _slots = new List<int> { 0, 0, 0 };
                    private readonly IDictionary<string, int> _hits = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
                    private readonly List<string> _log = new List<string>();
                    private int _processed;
                    private string _status = "";

                    public async Task RunAsync(Job[] jobs, Downloader[] downloaders, CancellationToken ct)
                    {
                        var tasks = new List<Task>();
                        foreach (var job in jobs)
                        {
                            tasks.Add(Task.Run(() => job.Attempts++));
                        }

                        foreach (var d in downloaders)
                        {
                            tasks.Add(Task.Run(() => d.Download()));
                        }

                        while (!ct.IsCancellationRequested)
                        {
                            var batch = Task.Run(() => _processed++);
                            await Task.WhenAll(batch, Task.Delay(100, ct));
                        }

                        await Task.WhenAll(Task.Run(() => _log.Add("a")), Task.Run(() => _users.Reload()));
                        _log.Add("after");

                        var load = Task.Run(() => _status = "loading");
                        await load.ContinueWith(_ => _status = "done");

                        var a = Task.Run(() => _users.Reload());
                        var b = Task.Run(() => _orders.Reload());
                        await Task.WhenAll(a, b);

                        Parallel.For(0, 3, i => _slots[i] = i);
                        Parallel.For(0, 3, i => _hits["k" + i] = i);
                        Parallel.For(0, 3, i =>
                        {
                            if (Monitor.TryEnter(_sync, 100))
                            {
                                try { _processed++; } finally { Monitor.Exit(_sync); }
                            }
                        });
                        await Task.WhenAll(tasks);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_race_reported_on_a_method_group_gets_no_lock_around_the_start_of_the_work()
        {
            const string source = """
                using System.Threading.Tasks;

                public class FileScanner
                {
                    private long _bytes;

                    public void ScanAll(string[] files) => Parallel.ForEach(files, {|CONC001:Scan|});

                    private void Scan(string file) => _bytes += file.Length;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, source, UseLock);
        }

        [Fact]
        public Task A_statement_declaring_an_out_variable_used_later_is_not_wrapped_in_a_lock()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Callbacks
                {
                    private readonly Dictionary<int, string> _pending = new Dictionary<int, string>();

                    public void Complete(int[] ids) => Parallel.ForEach(ids, id =>
                    {
                        {|CONC002:_pending.Remove(id, out var name)|};
                        System.Console.WriteLine(name);
                    });
                }
                """;
            return Verify.VerifyCodeFixAsync(source, source, UseLockForCollection);
        }

        private const string SessionStore = """
            using System.Collections.Generic;

            public abstract class SingletonService { }

            public class SessionStore : SingletonService
            {
                private readonly object _sync = new object();
                private readonly Dictionary<string, string> _sessions = new Dictionary<string, string>();
                private int _created;
                private int _evicted;

                public void Create(string id, string user)
                {
                    {|#0:_sessions[id] = user|};
                    {|#1:_created++|};
                }

                public void Evict(string id)
                {
                    lock (_sync)
                    {
                        _sessions.Remove(id);
                        _evicted++;
                    }
                }

                private void Count() => _created++;
            }
            """;

        [Fact]
        public Task A_singleton_service_is_not_assumed_concurrent_by_default()
        {
            return Verify.VerifyAnalyzerAsync(SessionStore.Replace("{|#0:", "").Replace("{|#1:", "").Replace("|}", ""));
        }

        [Theory]
        [InlineData("SessionStore")]
        [InlineData("SingletonService")]
        public Task Types_configured_as_concurrent_have_their_public_methods_checked(string configured)
        {
            var test = new Verify.Test { TestCode = SessionStore, FixedCode = SessionStore, CodeActionEquivalenceKey = "none" };
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\ndotnet_code_quality.CONC001.concurrent_types = " + configured + "\n"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC002").WithLocation(0).WithArguments(
                "Dictionary<string, string>", "_sessions", "changed by an indexer store", "", "in 'Create', which the configuration (concurrent_types) says runs on several threads at once"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC001").WithLocation(1).WithArguments(
                "_created", "incremented", "", "in 'Create', which the configuration (concurrent_types) says runs on several threads at once"));
            return test.RunAsync();
        }

        [Fact]
        public Task A_semaphore_that_lets_several_in_is_a_throttle_not_a_lock()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class Fetcher
                {
                    private readonly SemaphoreSlim _throttle = new SemaphoreSlim(8);
                    private readonly SemaphoreSlim _mutex = new SemaphoreSlim(1, 1);
                    private readonly List<string> _pages = new List<string>();
                    private int _fetched;

                    public Task FetchAllAsync(string[] urls) => Parallel.ForEachAsync(urls, async (url, token) =>
                    {
                        await _throttle.WaitAsync(token);
                        try
                        {
                            {|CONC002:_pages.Add(url)|};
                        }
                        finally
                        {
                            _throttle.Release();
                        }

                        await _mutex.WaitAsync(token);
                        try
                        {
                            _fetched++;
                        }
                        finally
                        {
                            _mutex.Release();
                        }
                    });
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_single_writer_publishing_a_value_that_others_read_is_not_a_race()
        {
            const string source = """
                using System.Threading.Tasks;

                public class ConfigHolder
                {
                    private string _current = "";
                    private bool _loaded;

                    public async Task<string> ReloadAsync()
                    {
                        var reload = Task.Run(() =>
                        {
                            _current = Load();
                            _loaded = true;
                        });
                        var before = _loaded ? _current : "none";
                        await reload;
                        return before + _current;
                    }

                    private static string Load() => "config";
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_captured_local_declared_in_the_loop_body_is_a_new_variable_each_iteration()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public class Batches
                {
                    public Task<int>[] CountAll(int[][] batches)
                    {
                        var tasks = new List<Task<int>>();
                        foreach (var batch in batches)
                        {
                            var count = 0;
                            tasks.Add(Task.Run(() =>
                            {
                                foreach (var _ in batch) count++;
                                return count;
                            }));
                        }

                        return tasks.ToArray();
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_volatile_counter_is_left_to_CONC005()
        {
            const string source = """
                using System.Threading.Tasks;

                public class Hits
                {
                    private volatile int _hits;

                    public void Count(int[] pages) => Parallel.ForEach(pages, _ => _hits++);
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
