using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.MutableLockFieldAnalyzer,
    ConcurrencyAnalyzers.Rules.MutableLockFieldCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class MutableLockFieldTests
    {
        [Fact]
        public Task A_lock_field_set_only_by_its_initializer_and_constructor_becomes_readonly()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class RateLimiter
                {
                    private object {|#0:_gate|} = new object();
                    private static SemaphoreSlim {|#1:s_quota|} = new SemaphoreSlim(1, 1);
                    private readonly Dictionary<string, int> _calls = new();

                    public RateLimiter() { _gate = new object(); }

                    public bool TryCall(string client)
                    {
                        lock (_gate)
                        {
                            var count = _calls.GetValueOrDefault(client);
                            _calls[client] = count + 1;
                            return count < 100;
                        }
                    }

                    public static void Refill()
                    {
                        s_quota.Wait();
                        try { } finally { s_quota.Release(); }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;

                public class RateLimiter
                {
                    private readonly object _gate = new object();
                    private static readonly SemaphoreSlim s_quota = new SemaphoreSlim(1, 1);
                    private readonly Dictionary<string, int> _calls = new();

                    public RateLimiter() { _gate = new object(); }

                    public bool TryCall(string client)
                    {
                        lock (_gate)
                        {
                            var count = _calls.GetValueOrDefault(client);
                            _calls[client] = count + 1;
                            return count < 100;
                        }
                    }

                    public static void Refill()
                    {
                        s_quota.Wait();
                        try { } finally { s_quota.Release(); }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC032").WithLocation(0).WithArguments("_gate", string.Empty),
                Verify.Diagnostic("CONC032").WithLocation(1).WithArguments("s_quota", string.Empty));
        }

        [Fact]
        public Task A_lock_object_replaced_in_Reset_is_reported_with_the_assignment_and_without_a_fix()
        {
            const string source = """
                using System.Collections.Generic;

                public class SessionTable
                {
                    private object {|#0:_sync|} = new object();
                    private Dictionary<string, string> _sessions = new();

                    public void Put(string id, string user)
                    {
                        lock (_sync) { _sessions[id] = user; }
                    }

                    public void Reset()
                    {
                        {|#1:_sync|} = new object();
                        lock (_sync) { _sessions = new(); }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC032").WithLocation(0).WithLocation(1)
                    .WithMessage("'_sync' is used as a lock object but is not readonly and is assigned in 'Reset' (line 15); a thread that locks the new object does not exclude one that holds the old"));
        }

        [Fact]
        public Task Readonly_locks_a_lazily_published_SyncRoot_and_fields_that_are_not_locked_are_not_reported()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class LegacyCollection
                {
                    private readonly object _gate = new object();
                    private object? _syncRoot;
                    private List<int> _items = new();

                    public object SyncRoot
                    {
                        get
                        {
                            if (_syncRoot is null)
                            {
                                Interlocked.CompareExchange(ref _syncRoot, new object(), null);
                            }

                            return _syncRoot!;
                        }
                    }

                    public void Add(int item)
                    {
                        lock (_gate) { _items.Add(item); }
                        lock (SyncRoot) { }
                        lock (_syncRoot!) { }
                    }

                    public void Clear()
                    {
                        lock (_gate) { _items = new(); }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_clone_given_its_own_lock_is_not_reported()
        {
            const string source = """
                using System.Collections.Generic;

                public class Snapshot
                {
                    private object _sync = new object();
                    private List<int> _items = new();

                    public void Add(int item)
                    {
                        lock (_sync) { _items.Add(item); }
                    }

                    public Snapshot Clone()
                    {
                        var copy = (Snapshot)MemberwiseClone();
                        copy._sync = new object();
                        lock (_sync) { copy._items = new List<int>(_items); }
                        return copy;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
