using System.Threading;
using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.RacyLazyInitializationAnalyzer,
    ConcurrencyAnalyzers.Rules.RacyLazyInitializationCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class RacyLazyInitializationTests
    {
        [Fact]
        public Task A_static_getter_that_creates_on_first_use_becomes_Lazy_and_every_reader_reads_Value()
        {
            const string source = """
                using System.Collections.Generic;

                public sealed class CurrencyTable
                {
                    private static Dictionary<string, decimal> s_rates;

                    public static Dictionary<string, decimal> Rates
                    {
                        get
                        {
                            if ({|#0:s_rates == null|})
                            {
                                s_rates = LoadRates();
                            }

                            return s_rates;
                        }
                    }

                    public static int Count => s_rates.Count;

                    private static Dictionary<string, decimal> LoadRates() => new Dictionary<string, decimal> { ["EUR"] = 1.08m };
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public sealed class CurrencyTable
                {
                    private static readonly Lazy<Dictionary<string, decimal>> s_rates = new Lazy<Dictionary<string, decimal>>(() => LoadRates(), LazyThreadSafetyMode.ExecutionAndPublication);

                    public static Dictionary<string, decimal> Rates
                    {
                        get
                        {
                            return s_rates.Value;
                        }
                    }

                    public static int Count => s_rates.Value.Count;

                    private static Dictionary<string, decimal> LoadRates() => new Dictionary<string, decimal> { ["EUR"] = 1.08m };
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_rates", string.Empty, string.Empty));
        }

        [Fact]
        public Task A_static_coalescing_assignment_keeps_the_race_and_becomes_Lazy()
        {
            const string source = """
                using System.Text.Json;

                public static class Json
                {
                    private static JsonSerializerOptions s_options;

                    public static JsonSerializerOptions Options => {|#0:s_options ??= new JsonSerializerOptions { WriteIndented = true }|};
                }
                """;
            const string fixedSource = """
                using System;
                using System.Text.Json;
                using System.Threading;

                public static class Json
                {
                    private static readonly Lazy<JsonSerializerOptions> s_options = new Lazy<JsonSerializerOptions>(() => new JsonSerializerOptions { WriteIndented = true }, LazyThreadSafetyMode.ExecutionAndPublication);

                    public static JsonSerializerOptions Options => s_options.Value;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_options", string.Empty, string.Empty));
        }

        [Fact]
        public Task An_early_return_singleton_becomes_Lazy()
        {
            const string source = """
                public sealed class Registry
                {
                    private static Registry s_default;

                    public static Registry Default
                    {
                        get
                        {
                            if ({|#0:s_default != null|})
                            {
                                return s_default;
                            }

                            s_default = new Registry();
                            return s_default;
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Threading;

                public sealed class Registry
                {
                    private static readonly Lazy<Registry> s_default = new Lazy<Registry>(() => new Registry(), LazyThreadSafetyMode.ExecutionAndPublication);

                    public static Registry Default
                    {
                        get
                        {
                            return s_default.Value;
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_default", string.Empty, string.Empty));
        }

        [Fact]
        public Task Double_checked_locking_on_a_field_that_is_not_volatile_becomes_Lazy_and_the_lock_goes()
        {
            const string source = """
                using System.Net.Http;

                public static class Clients
                {
                    private static readonly object s_gate = new object();
                    private static HttpClient s_client;

                    public static HttpClient Shared
                    {
                        get
                        {
                            if ({|#0:s_client == null|})
                            {
                                lock (s_gate)
                                {
                                    if (s_client == null)
                                    {
                                        s_client = new HttpClient();
                                    }
                                }
                            }

                            return s_client;
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Net.Http;
                using System.Threading;

                public static class Clients
                {
                    private static readonly Lazy<HttpClient> s_client = new Lazy<HttpClient>(() => new HttpClient(), LazyThreadSafetyMode.ExecutionAndPublication);

                    public static HttpClient Shared
                    {
                        get
                        {
                            return s_client.Value;
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC051").WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Info).WithLocation(0).WithSpan(14, 17, 20, 18).WithArguments("s_client", "reads 's_client' outside the lock, but it is not volatile: another thread can see the reference before the object it points to is complete"));
        }

        [Fact]
        public Task Double_checked_locking_without_the_inner_check_creates_twice()
        {
            const string source = """
                using System.Collections.Generic;

                public sealed class PluginCatalog
                {
                    private static readonly object s_sync = new object();
                    private static volatile List<string> s_plugins;

                    public static IReadOnlyList<string> Plugins
                    {
                        get
                        {
                            if ({|#0:s_plugins == null|})
                            {
                                lock (s_sync)
                                {
                                    s_plugins = new List<string> { "csv", "json" };
                                }
                            }

                            return s_plugins;
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public sealed class PluginCatalog
                {
                    private static readonly Lazy<List<string>> s_plugins = new Lazy<List<string>>(() => new List<string> { "csv", "json" }, LazyThreadSafetyMode.ExecutionAndPublication);

                    public static IReadOnlyList<string> Plugins
                    {
                        get
                        {
                            return s_plugins.Value;
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC051").WithLocation(0).WithSpan(14, 17, 17, 18).WithArguments("s_plugins", "does not check 's_plugins' again inside the lock, so a thread that waited for the lock initializes it a second time"));
        }

        [Fact]
        public Task A_volatile_field_published_before_it_is_filled_in_is_reported_and_the_filling_moves_into_the_factory()
        {
            const string source = """
                using System.Collections.Generic;

                public sealed class RouteTable
                {
                    private static readonly object s_lock = new object();
                    private static volatile Dictionary<string, string> s_routes;

                    public static string Find(string path)
                    {
                        if ({|#0:s_routes == null|})
                        {
                            lock (s_lock)
                            {
                                if (s_routes == null)
                                {
                                    s_routes = new Dictionary<string, string>();
                                    s_routes.Add("/", "home");
                                    s_routes.Add("/orders", "orders");
                                }
                            }
                        }

                        return s_routes.TryGetValue(path, out var route) ? route : null;
                    }
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public sealed class RouteTable
                {
                    private static readonly Lazy<Dictionary<string, string>> s_routes = new Lazy<Dictionary<string, string>>(() =>
                    {
                        var instance = new Dictionary<string, string>();
                        instance.Add("/", "home");
                        instance.Add("/orders", "orders");
                        return instance;
                    }, LazyThreadSafetyMode.ExecutionAndPublication);

                    public static string Find(string path)
                    {
                        return s_routes.Value.TryGetValue(path, out var route) ? route : null;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC051").WithLocation(0).WithSpan(12, 13, 20, 14).WithArguments("s_routes", "stores the object in 's_routes' before it is filled in, so another thread can skip the lock and use it half built"));
        }

        [Fact]
        public Task An_instance_cache_of_a_singleton_whose_factory_needs_the_instance_uses_EnsureInitialized()
        {
            const string source = """
                using System.Collections.Generic;

                public interface IServiceCollection { }

                public static class Registration
                {
                    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) => services;
                }

                public static class Startup
                {
                    public static void Configure(IServiceCollection services) => services.AddSingleton<TenantDirectory>();
                }

                public sealed class TenantDirectory
                {
                    private readonly string _connectionString = "Server=.";
                    private List<string> _tenants;

                    public IReadOnlyList<string> Tenants()
                    {
                        if ({|#0:_tenants == null|})
                        {
                            _tenants = Load(_connectionString);
                        }

                        return _tenants;
                    }

                    private static List<string> Load(string connectionString) => new List<string> { connectionString };
                }
                """;
            const string fixedSource = """
                using System.Collections.Generic;
                using System.Threading;

                public interface IServiceCollection { }

                public static class Registration
                {
                    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) => services;
                }

                public static class Startup
                {
                    public static void Configure(IServiceCollection services) => services.AddSingleton<TenantDirectory>();
                }

                public sealed class TenantDirectory
                {
                    private readonly string _connectionString = "Server=.";
                    private List<string> _tenants;
                    private object _tenantsLock;

                    public IReadOnlyList<string> Tenants()
                    {
                        LazyInitializer.EnsureInitialized(ref _tenants, ref _tenantsLock, () => Load(_connectionString));

                        return _tenants;
                    }

                    private static List<string> Load(string connectionString) => new List<string> { connectionString };
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("_tenants", ", in 'TenantDirectory', which is registered with AddSingleton, so one instance serves every thread", string.Empty));
        }

        [Fact]
        public Task An_instance_field_of_a_type_used_from_Parallel_ForEach_in_another_class_is_reported()
        {
            var test = new Verify.Test
            {
                TestState =
                {
                    Sources =
                    {
                        ("/0/PriceFormatter.cs", """
                        using System.Globalization;

                        public sealed class PriceFormatter
                        {
                            private NumberFormatInfo _format;

                            public string Format(decimal price)
                            {
                                {|#0:_format ??= CreateFormat()|};
                                return price.ToString("C", _format);
                            }

                            private static NumberFormatInfo CreateFormat() => (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
                        }
                        """),
                        ("/0/InvoiceRenderer.cs", """
                        using System.Collections.Generic;
                        using System.Threading.Tasks;

                        public sealed class InvoiceRenderer
                        {
                            private readonly PriceFormatter _formatter = new PriceFormatter();

                            public void Render(IEnumerable<decimal> prices, List<string> output)
                            {
                                Parallel.ForEach(prices, price =>
                                {
                                    var text = _formatter.Format(price);
                                    lock (output) { output.Add(text); }
                                });
                            }
                        }
                        """),
                    },
                },
            };
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("_format",
                ", in 'PriceFormatter', which is used by the parallel loop body in 'Render'", string.Empty));
            test.FixedState.Sources.Add(("/0/PriceFormatter.cs", """
                using System;
                using System.Globalization;
                using System.Threading;

                public sealed class PriceFormatter
                {
                    private readonly Lazy<NumberFormatInfo> _format = new Lazy<NumberFormatInfo>(() => CreateFormat(), LazyThreadSafetyMode.ExecutionAndPublication);

                    public string Format(decimal price)
                    {
                        return price.ToString("C", _format.Value);
                    }

                    private static NumberFormatInfo CreateFormat() => (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
                }
                """));
            test.FixedState.Sources.Add(test.TestState.Sources[1]);
            return test.RunAsync(CancellationToken.None);
        }

        [Fact]
        public Task An_initialized_flag_set_without_a_lock_is_reported_without_a_fix()
        {
            const string source = """
                using System.Collections.Generic;

                public static class FeatureFlags
                {
                    private static readonly Dictionary<string, bool> s_flags = new Dictionary<string, bool>();
                    private static bool s_loaded;

                    public static bool IsOn(string name)
                    {
                        if ({|#0:!s_loaded|})
                        {
                            s_loaded = true;
                            s_flags["checkout-v2"] = true;
                        }

                        return s_flags.TryGetValue(name, out var on) && on;
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_loaded", string.Empty,
                    "; the flag is also set before the work it stands for is done, so another thread can go on before it is"));
        }

        [Fact]
        public Task Correct_one_time_initialization_is_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public sealed class Settings
                {
                    private static readonly Lazy<Settings> s_lazy = new Lazy<Settings>(() => new Settings());
                    private static readonly Settings s_eager = new Settings();
                    private static readonly object s_gate = new object();
                    private static volatile Settings s_checked;
                    private static Settings s_locked;
                    private static Settings s_ensured;
                    private static Settings s_exchanged;
                    private static Settings s_read;
                    [ThreadStatic] private static List<string> t_buffer;

                    public static Settings Lazy => s_lazy.Value;

                    public static Settings Eager => s_eager;

                    public static Settings Checked
                    {
                        get
                        {
                            if (s_checked == null)
                            {
                                lock (s_gate)
                                {
                                    if (s_checked == null)
                                    {
                                        s_checked = new Settings();
                                    }
                                }
                            }

                            return s_checked;
                        }
                    }

                    public static Settings Locked
                    {
                        get
                        {
                            lock (s_gate)
                            {
                                if (s_locked == null)
                                {
                                    s_locked = new Settings();
                                }

                                return s_locked;
                            }
                        }
                    }

                    public static Settings Ensured => LazyInitializer.EnsureInitialized(ref s_ensured, () => new Settings());

                    public static Settings Exchanged
                    {
                        get
                        {
                            if (s_exchanged == null)
                            {
                                Interlocked.CompareExchange(ref s_exchanged, new Settings(), null);
                            }

                            return s_exchanged;
                        }
                    }

                    public static Settings Read
                    {
                        get
                        {
                            if (Volatile.Read(ref s_read) == null)
                            {
                                lock (s_gate)
                                {
                                    if (s_read == null)
                                    {
                                        Volatile.Write(ref s_read, new Settings());
                                    }
                                }
                            }

                            return s_read;
                        }
                    }

                    public static List<string> Buffer => t_buffer ??= new List<string>();

                    static Settings()
                    {
                        if (s_locked == null)
                        {
                            s_locked = new Settings();
                        }

                        _ = s_locked;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Instance_state_of_a_type_that_nothing_shares_is_not_reported()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Text;
                using System.Threading;

                public sealed class ReportBuilder
                {
                    private StringBuilder _text;
                    private List<string> _lines;

                    public string Build()
                    {
                        _text ??= new StringBuilder();
                        if (_lines == null)
                        {
                            _lines = new List<string>();
                        }

                        _lines.Add("total");
                        return _text.Append(string.Join("\n", _lines)).ToString();
                    }
                }

                public sealed class Heartbeat
                {
                    private static Timer s_timer;

                    public static void Start()
                    {
                        if (s_timer == null)
                        {
                            s_timer = new Timer(_ => { }, null, 0, 1000);
                        }
                    }
                }

                public sealed class Defaults
                {
                    private static string s_name;

                    public static string Name => s_name ??= "default";
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task A_synchronized_method_is_not_reported()
        {
            const string source = """
                using System.Runtime.CompilerServices;

                public sealed class Counter
                {
                    private static Counter s_instance;

                    [MethodImpl(MethodImplOptions.Synchronized)]
                    public static Counter Get()
                    {
                        if (s_instance == null)
                        {
                            s_instance = new Counter();
                        }

                        return s_instance;
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Double_checked_locking_in_a_singleton_whose_factory_needs_the_instance_uses_EnsureInitialized_under_nullable()
        {
            const string source = """
                #nullable enable
                using System.Collections.Generic;

                public sealed class TokenCache
                {
                    public static TokenCache Instance { get; } = new TokenCache("https://login.example");

                    private readonly object _sync = new object();
                    private readonly string _authority;
                    private volatile Dictionary<string, string>? _tokens;

                    private TokenCache(string authority) => _authority = authority;

                    public string? Find(string scope)
                    {
                        if ({|#0:_tokens == null|})
                        {
                            lock (_sync)
                            {
                                if (_tokens == null)
                                {
                                    _tokens = new Dictionary<string, string>();
                                    _tokens[_authority] = "bootstrap";
                                }
                            }
                        }

                        return _tokens.TryGetValue(scope, out var token) ? token : null;
                    }
                }
                """;
            const string fixedSource = """
                #nullable enable
                using System.Collections.Generic;
                using System.Threading;

                public sealed class TokenCache
                {
                    public static TokenCache Instance { get; } = new TokenCache("https://login.example");
                    private readonly string _authority;
                    private Dictionary<string, string>? _tokens;
                    private object? _tokensLock;

                    private TokenCache(string authority) => _authority = authority;

                    public string? Find(string scope)
                    {
                        LazyInitializer.EnsureInitialized(ref _tokens, ref _tokensLock, () =>
                        {
                            var instance = new Dictionary<string, string>();
                            instance[_authority] = "bootstrap";
                            return instance;
                        });

                        return _tokens.TryGetValue(scope, out var token) ? token : null;
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC051").WithLocation(0).WithSpan(18, 13, 25, 14).WithArguments("_tokens", "stores the object in '_tokens' before it is filled in, so another thread can skip the lock and use it half built"));
        }

        [Fact]
        public Task A_field_also_tested_for_null_elsewhere_keeps_its_type_and_uses_EnsureInitialized()
        {
            const string source = """
                using System.Xml.Serialization;

                public static class Serializers
                {
                    private static XmlSerializer s_orders;

                    public static XmlSerializer Orders
                    {
                        get
                        {
                            if ({|#0:s_orders == null|})
                            {
                                s_orders = new XmlSerializer(typeof(string[]));
                            }

                            return s_orders;
                        }
                    }

                    public static bool IsWarm => s_orders != null;
                }
                """;
            const string fixedSource = """
                using System.Threading;
                using System.Xml.Serialization;

                public static class Serializers
                {
                    private static XmlSerializer s_orders;
                    private static object s_ordersLock;

                    public static XmlSerializer Orders
                    {
                        get
                        {
                            LazyInitializer.EnsureInitialized(ref s_orders, ref s_ordersLock, () => new XmlSerializer(typeof(string[])));

                            return s_orders;
                        }
                    }

                    public static bool IsWarm => s_orders != null;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_orders", string.Empty, string.Empty));
        }

        [Fact]
        public Task An_early_return_flag_on_an_object_threads_share_is_reported_and_one_each_run_creates_is_not()
        {
            const string source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class CommandDispatcher
                {
                    private readonly ConcurrentDictionary<string, string> _handlers = new();
                    private bool _builtInsRegistered;

                    public string Execute(string name)
                    {
                        EnsureBuiltIns();
                        return _handlers.TryGetValue(name, out var handler) ? handler : "?";
                    }

                    private void EnsureBuiltIns()
                    {
                        if ({|#0:_builtInsRegistered|})
                            return;
                        _handlers.TryAdd("ping", "pong");
                        _builtInsRegistered = true;
                    }
                }

                public sealed class RequestView
                {
                    private string _region;

                    public string Region => _region ??= System.Environment.GetEnvironmentVariable("REGION") ?? "eu";
                }

                public static class Host
                {
                    public static void Run(CommandDispatcher dispatcher, IEnumerable<string> commands)
                    {
                        var threads = commands.Select(c => new Thread(() => dispatcher.Execute(c))).ToList();
                        threads.ForEach(t => t.Start());
                        threads.ForEach(t => t.Join());
                    }

                    public static Task<string[]> Regions(IEnumerable<string> tenants) =>
                        Task.WhenAll(tenants.Select(t => Task.Run(() =>
                        {
                            var view = new RequestView();
                            return view.Region + t;
                        })));
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("_builtInsRegistered",
                    ", in 'CommandDispatcher', which is used by the thread in 'Run'", string.Empty));
        }

        [Fact]
        public Task An_awaited_creation_is_reported_without_a_fix()
        {
            const string source = """
                using System.Threading.Tasks;

                public static class Tokens
                {
                    private static string s_token;

                    public static async Task<string> GetAsync()
                    {
                        if ({|#0:s_token == null|})
                        {
                            s_token = await FetchAsync();
                        }

                        return s_token;
                    }

                    private static Task<string> FetchAsync() => Task.FromResult("token");
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_token", string.Empty, string.Empty));
        }

        [Fact]
        public Task Teardown_guards_shared_values_and_thread_static_instances_are_not_reported()
        {
            const string source = """
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public interface IServiceCollection { }

                public static class Registration
                {
                    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) => services;
                }

                public static class Startup
                {
                    public static void Configure(IServiceCollection services) => services.AddSingleton<Poller>();
                }

                public sealed class Poller : IDisposable
                {
                    private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);
                    private bool _disposed;
                    private IComparer<string> _order;

                    public IComparer<string> Order => _order ??= StringComparer.Ordinal;

                    public void Dispose()
                    {
                        if (_disposed)
                            return;
                        _disposed = true;
                        _timer.Dispose();
                    }
                }

                public sealed class RequestContext
                {
                    [ThreadStatic] private static RequestContext t_current;
                    private List<string> _notes;

                    public static RequestContext Current => t_current ??= new RequestContext();

                    public List<string> Notes => _notes ??= new List<string>();
                }

                public static class Names
                {
                    private static string s_empty;

                    public static string Empty => s_empty ??= string.Empty;
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Fix_All_rewrites_every_lazy_field_of_a_class()
        {
            const string source = """
                using System.Collections.Generic;
                using System.Text.RegularExpressions;

                public static class Patterns
                {
                    private static Regex s_email;
                    private static Regex s_phone;
                    private static List<Regex> s_all;

                    public static Regex Email => {|#0:s_email ??= new Regex("^[^@]+@[^@]+$")|};

                    public static Regex Phone
                    {
                        get
                        {
                            if ({|#1:s_phone is null|})
                            {
                                s_phone = new Regex("^[0-9 +-]+$");
                            }

                            return s_phone;
                        }
                    }

                    public static List<Regex> All => {|#2:s_all ?? (s_all = new List<Regex> { Email, Phone })|};
                }
                """;
            const string fixedSource = """
                using System;
                using System.Collections.Generic;
                using System.Text.RegularExpressions;
                using System.Threading;

                public static class Patterns
                {
                    private static readonly Lazy<Regex> s_email = new Lazy<Regex>(() => new Regex("^[^@]+@[^@]+$"), LazyThreadSafetyMode.ExecutionAndPublication);
                    private static readonly Lazy<Regex> s_phone = new Lazy<Regex>(() => new Regex("^[0-9 +-]+$"), LazyThreadSafetyMode.ExecutionAndPublication);
                    private static readonly Lazy<List<Regex>> s_all = new Lazy<List<Regex>>(() => new List<Regex> { Email, Phone }, LazyThreadSafetyMode.ExecutionAndPublication);

                    public static Regex Email => s_email.Value;

                    public static Regex Phone
                    {
                        get
                        {
                            return s_phone.Value;
                        }
                    }

                    public static List<Regex> All => s_all.Value;
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC050").WithLocation(0).WithArguments("s_email", string.Empty, string.Empty),
                Verify.Diagnostic("CONC050").WithLocation(1).WithArguments("s_phone", string.Empty, string.Empty),
                Verify.Diagnostic("CONC050").WithLocation(2).WithArguments("s_all", string.Empty, string.Empty));
        }
    }
}
