using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.RepeatedFactoryAnalyzer,
    ConcurrencyAnalyzers.Rules.RepeatedFactoryCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class RepeatedFactoryTests
    {
        [Fact]
        public Task A_client_per_host_created_in_GetOrAdd_becomes_a_dictionary_of_Lazy_values()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Net.Http;

                public sealed class ClientPool
                {
                    private readonly ConcurrentDictionary<string, HttpClient> _clients = new ConcurrentDictionary<string, HttpClient>(StringComparer.OrdinalIgnoreCase);

                    public HttpClient For(string host) =>
                        _clients.GetOrAdd(host, {|#0:h => new HttpClient { BaseAddress = new Uri("https://" + h) }|});

                    public HttpClient Existing(string host) => _clients[host];

                    public int Count => _clients.Count;

                    public void Forget(string host) => _clients.TryRemove(host, out _);
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Concurrent;
                using System.Net.Http;
                using System.Threading;

                public sealed class ClientPool
                {
                    private readonly ConcurrentDictionary<string, Lazy<HttpClient>> _clients = new ConcurrentDictionary<string, Lazy<HttpClient>>(StringComparer.OrdinalIgnoreCase);

                    public HttpClient For(string host) =>
                        _clients.GetOrAdd(host, h => new Lazy<HttpClient>(() => new HttpClient { BaseAddress = new Uri("https://" + h) }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;

                    public HttpClient Existing(string host) => _clients[host].Value;

                    public int Count => _clients.Count;

                    public void Forget(string host) => _clients.TryRemove(host, out _);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC053").WithLocation(0).WithArguments("GetOrAdd", "creates a HttpClient, which is disposable (the copies that lose are never disposed)"));
        }

        [Fact]
        public Task A_method_group_factory_that_reads_a_file_through_a_helper_is_reported_and_wrapped()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.IO;

                public sealed class TemplateStore
                {
                    private readonly ConcurrentDictionary<string, string> _templates = new();

                    public string Render(string name, string user) => _templates.GetOrAdd(name, {|#0:Load|}).Replace("{user}", user);

                    private static string Load(string name) => Normalize(File.ReadAllText(Path.Combine("templates", name + ".html")));

                    private static string Normalize(string text) => text.Trim();
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Concurrent;
                using System.IO;
                using System.Threading;

                public sealed class TemplateStore
                {
                    private readonly ConcurrentDictionary<string, Lazy<string>> _templates = new();

                    public string Render(string name, string user) => _templates.GetOrAdd(name, key => new Lazy<string>(() => Load(key), LazyThreadSafetyMode.ExecutionAndPublication)).Value.Replace("{user}", user);

                    private static string Load(string name) => Normalize(File.ReadAllText(Path.Combine("templates", name + ".html")));

                    private static string Normalize(string text) => text.Trim();
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC053").WithLocation(0).WithArguments("GetOrAdd", "does I/O (File.ReadAllText)"));
        }

        [Fact]
        public Task A_cached_task_started_by_the_factory_becomes_a_Lazy_task()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Threading.Tasks;

                public sealed record Product(int Id, string Name);

                public sealed class Catalog
                {
                    private readonly ConcurrentDictionary<int, Task<Product>> _products = new();

                    public Task<Product> GetAsync(int id) => _products.GetOrAdd(id, {|#0:async key => await FetchAsync(key)|});

                    public void Warm(int id)
                    {
                        _products.GetOrAdd(id, {|#1:key => FetchAsync(key)|});
                    }

                    private static async Task<Product> FetchAsync(int id)
                    {
                        await Task.Delay(10);
                        return new Product(id, "item " + id);
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed record Product(int Id, string Name);

                public sealed class Catalog
                {
                    private readonly ConcurrentDictionary<int, Lazy<Task<Product>>> _products = new();

                    public Task<Product> GetAsync(int id) => _products.GetOrAdd(id, key => new Lazy<Task<Product>>(async () => await FetchAsync(key), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

                    public void Warm(int id)
                    {
                        _ = _products.GetOrAdd(id, key => new Lazy<Task<Product>>(() => FetchAsync(key), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
                    }

                    private static async Task<Product> FetchAsync(int id)
                    {
                        await Task.Delay(10);
                        return new Product(id, "item " + id);
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC053").WithLocation(0).WithArguments("GetOrAdd", "starts asynchronous work (Catalog.FetchAsync)"),
                Verify.Diagnostic("CONC053").WithLocation(1).WithArguments("GetOrAdd", "starts asynchronous work (Catalog.FetchAsync)"));
        }

        [Fact]
        public Task A_factory_that_counts_misses_changes_state_more_than_once()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Threading;

                public sealed class ShapeCache
                {
                    private readonly ConcurrentDictionary<string, double[]> _shapes = new();
                    private int _misses;

                    public double[] Get(string name) => _shapes.GetOrAdd(name, {|#0:n =>
                    {
                        Interlocked.Increment(ref _misses);
                        return new double[n.Length];
                    }|});

                    public int Misses => _misses;
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Concurrent;
                using System.Threading;

                public sealed class ShapeCache
                {
                    private readonly ConcurrentDictionary<string, Lazy<double[]>> _shapes = new();
                    private int _misses;

                    public double[] Get(string name) => _shapes.GetOrAdd(name, n => new Lazy<double[]>(() => {
                        Interlocked.Increment(ref _misses);
                        return new double[n.Length];
                    }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;

                    public int Misses => _misses;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC053").WithLocation(0).WithArguments("GetOrAdd", "changes '_misses'"));
        }

        [Fact]
        public Task AddOrUpdate_and_dictionaries_the_fix_cannot_follow_are_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.IO;

                public sealed class Journal
                {
                    public ConcurrentDictionary<string, string> Entries { get; } = new();
                    private readonly ConcurrentDictionary<string, int> _sizes = new();

                    public void Append(string key, string line)
                    {
                        Entries.AddOrUpdate(key, {|#0:k => File.ReadAllText(k)|}, (_, old) => old + line);
                        _sizes.GetOrAdd(key, {|#1:k => File.ReadAllText(k).Length|});
                        if (_sizes.TryGetValue(key, out var size))
                        {
                            _ = size;
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC053").WithLocation(0).WithArguments("AddOrUpdate", "does I/O (File.ReadAllText)"),
                Verify.Diagnostic("CONC053").WithLocation(1).WithArguments("GetOrAdd", "does I/O (File.ReadAllText)"));
        }

        [Fact]
        public Task An_update_that_changes_the_stored_list_in_place_is_reported_and_one_that_returns_a_new_list_is_not()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Collections.Immutable;

                public sealed class Subscriptions
                {
                    private readonly ConcurrentDictionary<string, List<string>> _byTopic = new();
                    private readonly ConcurrentDictionary<string, ImmutableList<string>> _safe = new();

                    public void Subscribe(string topic, string client)
                    {
                        _byTopic.AddOrUpdate(topic, _ => new List<string> { client }, {|#0:(_, clients) =>
                        {
                            clients.Add(client);
                            return clients;
                        }|});
                        _safe.AddOrUpdate(topic, _ => ImmutableList.Create(client), (_, clients) => clients.Add(client));
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC053").WithLocation(0).WithArguments("AddOrUpdate",
                    "changes the existing value 'clients' in place (other threads can be reading it, or running the update on it too); return a new value instead"));
        }

        [Fact]
        public Task Cheap_pure_factories_and_Lazy_values_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Options { public string Name { get; set; } }

                public sealed class QueryBuilder
                {
                    private string _table = "";

                    public QueryBuilder From(string table)
                    {
                        _table = table;
                        return this;
                    }

                    public string Build() => "select * from " + _table;
                }

                public sealed class Caches
                {
                    private readonly ConcurrentDictionary<string, List<int>> _lists = new();
                    private readonly ConcurrentDictionary<string, int> _lengths = new();
                    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();
                    private readonly ConcurrentDictionary<string, Lazy<string>> _files = new();
                    private readonly ConcurrentDictionary<string, Task<int>> _known = new();
                    private readonly ConcurrentDictionary<string, Options> _options = new();
                    private readonly ConcurrentDictionary<string, string> _paths = new();
                    private readonly ConcurrentDictionary<string, string> _guarded = new();
                    private readonly ConcurrentDictionary<string, Func<Task<string>>> _jobs = new();
                    private readonly ConcurrentDictionary<string, string> _hashes = new();
                    private readonly ConcurrentDictionary<string, string> _queries = new();
                    private readonly object _gate = new object();

                    public void Use(string key)
                    {
                        _lists.GetOrAdd(key, _ => new List<int>());
                        _lengths.AddOrUpdate(key, k => k.Length, (_, old) => old + 1);
                        _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
                        _ = _files.GetOrAdd(key, k => new Lazy<string>(() => File.ReadAllText(k))).Value;
                        _known.GetOrAdd(key, k => Task.FromResult(k.Length));
                        _options.GetOrAdd(key, k =>
                        {
                            var options = new Options { Name = k };
                            options.Name = options.Name.Trim();
                            return options;
                        });
                        _paths.GetOrAdd(key, k => Path.Combine("data", k));
                        _jobs.GetOrAdd(key, () => Task.Run(() => File.ReadAllText(key)));
                        _hashes.GetOrAdd(key, k =>
                        {
                            using var hash = System.Security.Cryptography.SHA256.Create();
                            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(k));
                            return System.Convert.ToHexString(hash.ComputeHash(stream));
                        });
                        _queries.GetOrAdd(key, k => new QueryBuilder().From(k).Build());
                        lock (_gate)
                        {
                            _guarded.GetOrAdd(key, k => File.ReadAllText(k));
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
