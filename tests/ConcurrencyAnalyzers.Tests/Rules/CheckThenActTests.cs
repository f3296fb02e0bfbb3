using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.CheckThenActAnalyzer,
    ConcurrencyAnalyzers.Rules.CheckThenActCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class CheckThenActTests
    {
        [Fact]
        public Task ContainsKey_then_the_indexer_becomes_TryAdd()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class SessionRegistry
                {
                    private readonly ConcurrentDictionary<string, int> _sessions = new();

                    public void Register(string id, int user)
                    {
                        if (!{|#0:_sessions.ContainsKey(id)|})
                        {
                            _sessions[id] = user;
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;

                public sealed class SessionRegistry
                {
                    private readonly ConcurrentDictionary<string, int> _sessions = new();

                    public void Register(string id, int user)
                    {
                        _sessions.TryAdd(id, user);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(11, 13, 11, 33).WithArguments("_sessions", "ContainsKey", "changed with the indexer", "TryAdd"));
        }

        [Fact]
        public Task TryGetValue_then_create_and_store_becomes_GetOrAdd()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Text.RegularExpressions;

                public static class PatternCache
                {
                    private static readonly ConcurrentDictionary<string, Regex> s_patterns = new ConcurrentDictionary<string, Regex>();

                    public static bool Matches(string pattern, string input)
                    {
                        if (!{|#0:s_patterns.TryGetValue(pattern, out var regex)|})
                        {
                            regex = new Regex(pattern, RegexOptions.Compiled);
                            s_patterns.TryAdd(pattern, regex);
                        }

                        return regex.IsMatch(input);
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Text.RegularExpressions;

                public static class PatternCache
                {
                    private static readonly ConcurrentDictionary<string, Regex> s_patterns = new ConcurrentDictionary<string, Regex>();

                    public static bool Matches(string pattern, string input)
                    {
                        var regex = s_patterns.GetOrAdd(pattern, _ => new Regex(pattern, RegexOptions.Compiled));

                        return regex.IsMatch(input);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(13, 13, 13, 46).WithArguments("s_patterns", "TryGetValue", "changed with TryAdd", "GetOrAdd"));
        }

        [Fact]
        public Task A_counter_kept_with_TryGetValue_and_two_stores_becomes_AddOrUpdate()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class HitCounter
                {
                    private readonly ConcurrentDictionary<string, long> _hits = new();

                    public void Hit(string path)
                    {
                        if ({|#0:_hits.TryGetValue(path, out var count)|})
                        {
                            _hits[path] = count + 1;
                        }
                        else
                        {
                            _hits[path] = 1;
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;

                public sealed class HitCounter
                {
                    private readonly ConcurrentDictionary<string, long> _hits = new();

                    public void Hit(string path)
                    {
                        _hits.AddOrUpdate(path, 1, (_, count) => count + 1);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(15, 13, 15, 28).WithArguments("_hits", "TryGetValue", "changed with the indexer", "AddOrUpdate"));
        }

        [Fact]
        public Task Counters_written_as_expressions_become_AddOrUpdate()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public sealed class Telemetry
                {
                    private readonly ConcurrentDictionary<string, int> _errors = new();
                    private readonly ConcurrentDictionary<string, int> _retries = new();
                    private readonly ConcurrentDictionary<string, int> _calls = new();

                    public void Record(string operation, bool failed)
                    {
                        _calls[operation] = {|#0:_calls.GetValueOrDefault(operation)|} + 1;
                        if (failed)
                        {
                            _errors[operation] = {|#1:_errors.TryGetValue(operation, out var errors)|} ? errors + 1 : 1;
                        }

                        {|#2:_retries[operation]|} += 2;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public sealed class Telemetry
                {
                    private readonly ConcurrentDictionary<string, int> _errors = new();
                    private readonly ConcurrentDictionary<string, int> _retries = new();
                    private readonly ConcurrentDictionary<string, int> _calls = new();

                    public void Record(string operation, bool failed)
                    {
                        _calls.AddOrUpdate(operation, 0 + 1, (_, current) => current + 1);
                        if (failed)
                        {
                            _errors.AddOrUpdate(operation, 1, (_, errors) => errors + 1);
                        }

                        _retries.AddOrUpdate(operation, 2, (_, current) => current + 2);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(12, 9, 12, 68).WithArguments("_calls", "GetValueOrDefault", "changed with the indexer", "AddOrUpdate"),
                Verify.Diagnostic("CONC052").WithLocation(1).WithSpan(15, 13, 15, 97).WithArguments("_errors", "TryGetValue", "changed with the indexer", "AddOrUpdate"),
                Verify.Diagnostic("CONC052").WithLocation(2).WithSpan(18, 9, 18, 33).WithArguments("_retries", "the indexer", "written back with the indexer", "AddOrUpdate"));
        }

        [Fact]
        public Task ContainsKey_then_TryRemove_becomes_TryRemove_as_the_condition()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;

                public sealed class ConnectionPool
                {
                    private readonly ConcurrentDictionary<Guid, IDisposable> _open = new();

                    public void Close(Guid id)
                    {
                        if ({|#0:_open.ContainsKey(id)|})
                        {
                            _open.TryRemove(id, out var connection);
                            connection.Dispose();
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Concurrent;

                public sealed class ConnectionPool
                {
                    private readonly ConcurrentDictionary<Guid, IDisposable> _open = new();

                    public void Close(Guid id)
                    {
                        if (_open.TryRemove(id, out var connection))
                        {
                            connection.Dispose();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(12, 13, 12, 52).WithArguments("_open", "ContainsKey", "changed with TryRemove", "TryRemove alone"));
        }

        [Fact]
        public Task ContainsKey_then_reading_the_indexer_becomes_TryGetValue()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class PriceBook
                {
                    private readonly ConcurrentDictionary<string, decimal> _prices = new();

                    public decimal? Find(string sku)
                    {
                        if ({|#0:_prices.ContainsKey(sku)|})
                        {
                            return _prices[sku] * 1.2m;
                        }

                        return null;
                    }

                    public decimal Or(string sku, decimal fallback) => {|#1:_prices.ContainsKey(sku)|} ? _prices[sku] : fallback;
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;

                public sealed class PriceBook
                {
                    private readonly ConcurrentDictionary<string, decimal> _prices = new();

                    public decimal? Find(string sku)
                    {
                        if (_prices.TryGetValue(sku, out var value))
                        {
                            return value * 1.2m;
                        }

                        return null;
                    }

                    public decimal Or(string sku, decimal fallback) => _prices.TryGetValue(sku, out var value) ? value : fallback;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(11, 20, 11, 32).WithArguments("_prices", "ContainsKey", "read with the indexer, which throws if the entry was removed in between", "TryGetValue"),
                Verify.Diagnostic("CONC052").WithLocation(1).WithSpan(17, 83, 17, 95).WithArguments("_prices", "ContainsKey", "read with the indexer, which throws if the entry was removed in between", "TryGetValue"));
        }

        [Fact]
        public Task A_count_check_before_TryDequeue_with_the_result_ignored_becomes_the_condition()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class JobQueue
                {
                    private readonly ConcurrentQueue<string> _jobs = new();

                    public int Drain()
                    {
                        var done = 0;
                        while ({|#0:_jobs.Count|} > 0)
                        {
                            _jobs.TryDequeue(out var job);
                            done += job.Length;
                        }

                        return done;
                    }

                    public string Next()
                    {
                        if (!{|#1:_jobs.IsEmpty|})
                        {
                            _jobs.TryDequeue(out var job);
                            return job.Trim();
                        }

                        return null;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;

                public sealed class JobQueue
                {
                    private readonly ConcurrentQueue<string> _jobs = new();

                    public int Drain()
                    {
                        var done = 0;
                        while (_jobs.TryDequeue(out var job))
                        {
                            done += job.Length;
                        }

                        return done;
                    }

                    public string Next()
                    {
                        if (_jobs.TryDequeue(out var job))
                        {
                            return job.Trim();
                        }

                        return null;
                    }
                }
                """;
            const string message = "taken from with TryDequeue, whose result is ignored, so the item may be gone and the default used";
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(12, 13, 12, 42).WithArguments("_jobs", "Count", message, "the result of TryDequeue as the condition"),
                Verify.Diagnostic("CONC052").WithLocation(1).WithSpan(23, 13, 23, 42).WithArguments("_jobs", "IsEmpty", message, "the result of TryDequeue as the condition"));
        }

        [Fact]
        public Task A_bound_checked_with_Count_before_Enqueue_is_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class Mailbox
                {
                    private const int Capacity = 100;
                    private readonly ConcurrentQueue<string> _messages = new();

                    public bool TryPost(string message)
                    {
                        if ({|#0:_messages.Count|} >= Capacity)
                        {
                            return false;
                        }
                        else
                        {
                            _messages.Enqueue(message);
                            return true;
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(16, 13, 16, 39).WithArguments("_messages", "Count", "changed with Enqueue",
                    "a bounded Channel, BlockingCollection with a bound, or a SemaphoreSlim, since no single call checks the bound and adds"));
        }

        [Fact]
        public Task An_update_only_if_present_is_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class Leases
                {
                    private readonly ConcurrentDictionary<string, System.DateTime> _expiry = new();

                    public void Renew(string id, System.DateTime until)
                    {
                        if ({|#0:_expiry.ContainsKey(id)|})
                        {
                            _expiry[id] = until;
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(11, 13, 11, 32).WithArguments("_expiry", "ContainsKey", "changed with the indexer",
                    "TryUpdate with the value read (in a loop until it succeeds), or AddOrUpdate"));
        }

        [Fact]
        public Task Checks_in_an_early_exit_or_an_and_chain_guard_what_follows_and_are_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Net.Sockets;

                public sealed class SocketPool
                {
                    private const int MaxIdle = 8;
                    private readonly ConcurrentBag<Socket> _idle = new();
                    private readonly ConcurrentQueue<string> _recent = new();

                    public Socket Rent()
                    {
                        if ({|#0:_idle.IsEmpty|})
                        {
                            return new Socket(SocketType.Stream, ProtocolType.Tcp);
                        }

                        _idle.TryTake(out var socket);
                        return socket;
                    }

                    public void Return(Socket socket)
                    {
                        if (socket.Connected && {|#1:_idle.Count|} < MaxIdle)
                        {
                            _idle.Add(socket);
                        }
                    }

                    public void Remember(string host)
                    {
                        if ({|#2:_recent.Count|} >= MaxIdle)
                            _recent.TryDequeue(out _);
                        _recent.Enqueue(host);
                    }
                }
                """;
            const string bound = "a bounded Channel, BlockingCollection with a bound, or a SemaphoreSlim, since no single call checks the bound and adds";
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(17, 9, 17, 38).WithArguments("_idle", "IsEmpty", "taken from with TryTake, whose result is ignored, so the item may be gone and the default used", "the result of TryTake as the condition"),
                Verify.Diagnostic("CONC052").WithLocation(1).WithSpan(25, 13, 25, 30).WithArguments("_idle", "Count", "changed with Add", bound),
                Verify.Diagnostic("CONC052").WithLocation(2).WithSpan(33, 9, 33, 30).WithArguments("_recent", "Count", "changed with Enqueue", bound));
        }

        [Fact]
        public Task A_counter_of_another_dictionary_inside_a_checked_branch_is_its_own_finding()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;

                public sealed class Throttle
                {
                    private readonly ConcurrentDictionary<string, DateTime> _blockedUntil = new();
                    private readonly ConcurrentDictionary<string, long> _outcomes = new();

                    public bool Allow(string client)
                    {
                        if (_blockedUntil.TryGetValue(client, out var until) && DateTime.UtcNow < until)
                        {
                            {|#0:_outcomes["blocked"]|}++;
                            return false;
                        }

                        return true;
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Concurrent;

                public sealed class Throttle
                {
                    private readonly ConcurrentDictionary<string, DateTime> _blockedUntil = new();
                    private readonly ConcurrentDictionary<string, long> _outcomes = new();

                    public bool Allow(string client)
                    {
                        if (_blockedUntil.TryGetValue(client, out var until) && DateTime.UtcNow < until)
                        {
                            _outcomes.AddOrUpdate("blocked", 1, (_, current) => current + 1);
                            return false;
                        }

                        return true;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(13, 13, 13, 35).WithArguments("_outcomes", "the indexer", "written back with the indexer", "AddOrUpdate"));
        }

        [Fact]
        public Task A_compound_update_keeps_its_grouping_and_a_new_timer_is_created_only_when_missing()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Threading;

                public sealed class Ledger
                {
                    private readonly ConcurrentDictionary<string, decimal> _totals = new();
                    private readonly ConcurrentDictionary<int, Timer> _timers = new();

                    public void Charge(string account, decimal amount, decimal fee)
                    {
                        {|#0:_totals[account]|} -= amount + fee;
                    }

                    public void Watch(int id)
                    {
                        if (!{|#1:_timers.ContainsKey(id)|})
                        {
                            _timers[id] = new Timer(_ => { }, id, 1000, 1000);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Threading;

                public sealed class Ledger
                {
                    private readonly ConcurrentDictionary<string, decimal> _totals = new();
                    private readonly ConcurrentDictionary<int, Timer> _timers = new();

                    public void Charge(string account, decimal amount, decimal fee)
                    {
                        _totals.AddOrUpdate(account, 0 - (amount + fee), (_, current) => current - (amount + fee));
                    }

                    public void Watch(int id)
                    {
                        _timers.GetOrAdd(id, _ => new Timer(_ => { }, id, 1000, 1000));
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(11, 9, 11, 41).WithArguments("_totals", "the indexer", "written back with the indexer", "AddOrUpdate"),
                Verify.Diagnostic("CONC052").WithLocation(1).WithSpan(18, 13, 18, 62).WithArguments("_timers", "ContainsKey", "changed with the indexer", "TryAdd"));
        }

        [Fact]
        public Task A_lookup_that_returns_early_then_stores_is_reported_and_double_checking_under_a_lock_is_not()
        {
            const string source = """
                using System.Collections.Concurrent;

                public sealed class Connection { public Connection(string host) { } }

                public sealed class ConnectionCache
                {
                    private readonly object _gate = new object();
                    private readonly ConcurrentDictionary<string, Connection> _byHost = new();
                    private readonly ConcurrentDictionary<string, Connection> _pooled = new();

                    public Connection Get(string host)
                    {
                        if ({|#0:_byHost.TryGetValue(host, out var connection)|})
                        {
                            return connection;
                        }

                        connection = new Connection(host);
                        _byHost[host] = connection;
                        return connection;
                    }

                    public Connection Pooled(string host)
                    {
                        if (!_pooled.TryGetValue(host, out var connection))
                        {
                            lock (_gate)
                            {
                                if (!_pooled.TryGetValue(host, out connection))
                                {
                                    connection = new Connection(host);
                                    _pooled[host] = connection;
                                }
                            }
                        }

                        return connection;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(19, 9, 19, 35).WithArguments("_byHost", "TryGetValue", "changed with the indexer", "GetOrAdd"));
        }

        [Fact]
        public Task Atomic_calls_locked_checks_reads_and_private_locals_are_not_reported()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Linq;

                public sealed class Inventory
                {
                    private readonly object _gate = new object();
                    private readonly ConcurrentDictionary<string, int> _stock = new();
                    private readonly Dictionary<string, int> _plain = new();
                    private readonly ConcurrentQueue<string> _orders = new();

                    public int Get(string sku) => _stock.TryGetValue(sku, out var count) ? count : 0;

                    public int GetOrZero(string sku) => _stock.GetOrAdd(sku, 0);

                    public void Add(string sku, int count) => _stock.AddOrUpdate(sku, count, (_, old) => old + count);

                    public void Reserve(string sku)
                    {
                        lock (_gate)
                        {
                            if (_stock.TryGetValue(sku, out var count) && count > 0)
                            {
                                _stock[sku] = count - 1;
                            }
                        }
                    }

                    public void Plain(string sku)
                    {
                        if (!_plain.ContainsKey(sku))
                        {
                            _plain[sku] = 0;
                        }
                    }

                    public int Local(IEnumerable<string> skus)
                    {
                        var seen = new ConcurrentDictionary<string, bool>();
                        foreach (var sku in skus)
                        {
                            if (!seen.ContainsKey(sku))
                            {
                                seen[sku] = true;
                            }
                        }

                        return seen.Count;
                    }

                    public List<string> Distinct(IEnumerable<string> skus)
                    {
                        var seen = new ConcurrentDictionary<string, bool>();
                        return skus.Where(sku =>
                        {
                            if (seen.ContainsKey(sku))
                            {
                                return false;
                            }

                            seen[sku] = true;
                            return true;
                        }).ToList();
                    }

                    public void Process()
                    {
                        while (_orders.TryDequeue(out var order))
                        {
                            _ = order.Length;
                        }

                        if (_orders.Count > 0)
                        {
                            if (_orders.TryDequeue(out var next))
                            {
                                _ = next.Length;
                            }
                        }
                    }

                    public bool Known(string sku, string other)
                    {
                        if (_stock.ContainsKey(sku))
                        {
                            _stock[other] = 1;
                        }

                        return _stock.ContainsKey(other);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_dictionary_captured_by_Parallel_ForEach_is_reported_as_shared()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public static class WordCount
                {
                    public static IDictionary<string, int> Count(IEnumerable<string> words)
                    {
                        var counts = new ConcurrentDictionary<string, int>();
                        Parallel.ForEach(words, word =>
                        {
                            if ({|#0:counts.ContainsKey(word)|})
                            {
                                counts[word]++;
                            }
                            else
                            {
                                counts[word] = 1;
                            }
                        });
                        return counts;
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public static class WordCount
                {
                    public static IDictionary<string, int> Count(IEnumerable<string> words)
                    {
                        var counts = new ConcurrentDictionary<string, int>();
                        Parallel.ForEach(words, word =>
                        {
                            counts.AddOrUpdate(word, 1, (_, current) => current + 1);
                        });
                        return counts;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC052").WithLocation(0).WithSpan(18, 17, 18, 33).WithArguments("counts", "ContainsKey", "changed with the indexer", "AddOrUpdate"));
        }
    }
}
