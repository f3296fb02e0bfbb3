using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.UnsafeLockObjectAnalyzer,
    ConcurrencyAnalyzers.Rules.UnsafeLockObjectCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class UnsafeLockObjectTests
    {
        [Fact]
        public Task A_print_queue_that_locks_this_and_waits_on_it_moves_every_use_to_one_private_object()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class PrintQueue
                {
                    private readonly Queue<string> _jobs = new();

                    public void Submit(string job)
                    {
                        lock ([|this|])
                        {
                            _jobs.Enqueue(job);
                            Monitor.Pulse(this);
                        }
                    }

                    public string Take()
                    {
                        lock ([|this|])
                        {
                            while (_jobs.Count == 0)
                            {
                                Monitor.Wait(this);
                            }

                            return _jobs.Dequeue();
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;

                public class PrintQueue
                {
                    private readonly object _sync = new object();
                    private readonly Queue<string> _jobs = new();

                    public void Submit(string job)
                    {
                        lock (_sync)
                        {
                            _jobs.Enqueue(job);
                            Monitor.Pulse(_sync);
                        }
                    }

                    public string Take()
                    {
                        lock (_sync)
                        {
                            while (_jobs.Count == 0)
                            {
                                Monitor.Wait(_sync);
                            }

                            return _jobs.Dequeue();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_registry_that_locks_its_own_Type_and_a_string_gets_a_static_lock_for_each()
        {
            const string source = """
                using System.Collections.Generic;

                public static class PluginRegistry
                {
                    private static readonly Dictionary<string, string> s_plugins = new();
                    private static readonly List<string> s_log = new();

                    public static void Register(string name, string path)
                    {
                        lock ([|typeof(PluginRegistry)|])
                        {
                            s_plugins[name] = path;
                        }
                    }

                    public static void Log(string line)
                    {
                        lock ({|#0:"plugin-log"|})
                        {
                            s_log.Add(line);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;

                public static class PluginRegistry
                {
                    private static readonly object s_pluginlogLock = new object();
                    private static readonly object s_sync = new object();
                    private static readonly Dictionary<string, string> s_plugins = new();
                    private static readonly List<string> s_log = new();

                    public static void Register(string name, string path)
                    {
                        lock (s_sync)
                        {
                            s_plugins[name] = path;
                        }
                    }

                    public static void Log(string line)
                    {
                        lock (s_pluginlogLock)
                        {
                            s_log.Add(line);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC031").WithLocation(0)
                    .WithMessage("The string \"plugin-log\" is locked here; string literals are interned, so every other lock on the same text anywhere in the process is the same lock; lock on a private static readonly object"));
        }

        [Fact]
        public Task A_public_lock_field_a_new_object_and_a_per_call_local_each_get_a_private_field()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class MetricsSink
                {
                    public readonly object Gate = new object();
                    private readonly List<double> _samples = new();
                    private int _flushes;

                    public void Add(double value)
                    {
                        Monitor.Enter([|Gate|]);
                        try { _samples.Add(value); }
                        finally { Monitor.Exit(Gate); }
                    }

                    public void Flush()
                    {
                        lock ([|new object()|])
                        {
                            _flushes++;
                        }
                    }

                    public void Reset()
                    {
                        var gate = new object();
                        lock ([|gate|])
                        {
                            _samples.Clear();
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;

                public class MetricsSink
                {
                    private readonly object _sync = new object();
                    private readonly object _gateLock = new object();
                    public readonly object Gate = new object();
                    private readonly List<double> _samples = new();
                    private int _flushes;

                    public void Add(double value)
                    {
                        Monitor.Enter(_gateLock);
                        try { _samples.Add(value); }
                        finally { Monitor.Exit(_gateLock); }
                    }

                    public void Flush()
                    {
                        lock (_sync)
                        {
                            _flushes++;
                        }
                    }

                    public void Reset()
                    {
                        var gate = new object();
                        lock (_sync)
                        {
                            _samples.Clear();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task An_existing_private_sync_field_is_reused_instead_of_adding_another()
        {
            const string source = """
                public class Counter
                {
                    private readonly object _sync = new object();
                    private int _value;

                    public void Increment()
                    {
                        lock (_sync) { _value++; }
                    }

                    public void Reset()
                    {
                        lock ([|this|]) { _value = 0; }
                    }
                }
                """;
            const string fixedSource = """
                public class Counter
                {
                    private readonly object _sync = new object();
                    private int _value;

                    public void Increment()
                    {
                        lock (_sync) { _value++; }
                    }

                    public void Reset()
                    {
                        lock (_sync) { _value = 0; }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_lock_on_a_string_key_is_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Generic;

                public class TenantCache
                {
                    private readonly Dictionary<string, int> _hits = new();

                    public void Hit(string tenant)
                    {
                        lock ([|tenant|])
                        {
                            _hits[tenant] = _hits.GetValueOrDefault(tenant) + 1;
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task Private_lock_objects_and_a_local_shared_with_parallel_workers_are_not_reported()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                public class ReportBuilder
                {
                    private static readonly object s_templates = new object();
                    private readonly object _gate = new object();
                    private readonly List<string> _rows = new();
                    protected readonly int Version = 1;
                    private readonly ReportBuilder? _parent;

                    public ReportBuilder(ReportBuilder? parent) => _parent = parent;

                    public void Add(string row)
                    {
                        lock (_gate) { _rows.Add(row); }
                        lock (s_templates) { }
                        lock (_rows) { _rows.Sort(); }
                        if (_parent is not null)
                        {
                            lock (_parent._gate) { _parent._rows.Add(row); }
                        }
                    }

                    public int Build(string[] items)
                    {
                        var gate = new object();
                        var total = 0;
                        Parallel.ForEach(items, item =>
                        {
                            lock (gate) { total += item.Length; }
                        });
                        return total;
                    }

                    public void AddAll(IEnumerable<string> rows)
                    {
                        Monitor.Enter(_gate);
                        try { _rows.AddRange(rows); }
                        finally { Monitor.Exit(_gate); }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Fixing_one_lock_on_this_moves_every_lock_and_Monitor_call_of_the_class_with_it()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Threading;

                public class Mailbox
                {
                    private readonly Queue<string> _messages = new();

                    public void Post(string message)
                    {
                        lock ([|this|])
                        {
                            _messages.Enqueue(message);
                            System.Threading.Monitor.Pulse(this);
                        }
                    }

                    public string Receive()
                    {
                        lock ([|this|])
                        {
                            while (_messages.Count == 0) Monitor.Wait(this);
                            return _messages.Dequeue();
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;

                public class Mailbox
                {
                    private readonly object _sync = new object();
                    private readonly Queue<string> _messages = new();

                    public void Post(string message)
                    {
                        lock (_sync)
                        {
                            _messages.Enqueue(message);
                            System.Threading.Monitor.Pulse(_sync);
                        }
                    }

                    public string Receive()
                    {
                        lock (_sync)
                        {
                            while (_messages.Count == 0) Monitor.Wait(_sync);
                            return _messages.Dequeue();
                        }
                    }
                }
                """;
            var test = new Verify.Test { TestCode = source, FixedCode = fixedSource };
            test.NumberOfIncrementalIterations = 1;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        [Fact]
        public Task A_record_that_locks_this_is_reported_without_a_fix_that_would_change_its_equality()
        {
            const string source = """
                public record Counter(string Name)
                {
                    private int _value;

                    public void Increment()
                    {
                        lock ([|this|]) { _value++; }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task A_local_published_to_a_cache_before_it_is_locked_is_not_a_per_call_object()
        {
            const string source = """
                using System.Collections.Concurrent;

                public class EntryCache
                {
                    private readonly ConcurrentDictionary<string, object> _entries = new();

                    public void Load(string key)
                    {
                        var entry = new object();
                        _entries[key] = entry;
                        lock (entry) { }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
