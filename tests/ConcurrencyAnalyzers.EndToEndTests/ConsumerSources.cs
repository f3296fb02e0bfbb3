namespace ConcurrencyAnalyzers.EndToEndTests
{
    /// <summary>The consumer project's code: one finding of each rule, each of which has a code fix.</summary>
    internal static class ConsumerSources
    {
        public const string Jobs = """
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.IO;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Channels;
            using System.Threading.Tasks;

            namespace Consumer
            {
                public class ReportJob
                {
                    private readonly List<string> _lines = new List<string>();
                    private volatile bool _ready;

                    public async Task RunAsync(CancellationToken cancellationToken)
                    {
                        await Task.Yield();
                        Thread.Sleep(250);
                    }

                    public int Build()
                    {
                        var fill = Task.Run(() => _lines.Add("total"));
                        Thread.Sleep(1000);
                        return _lines.Count;
                    }

                    public void MarkReady()
                    {
                        _ready = true;
                    }

                    public void WaitReady()
                    {
                        while (!_ready)
                        {
                            Thread.Sleep(10);
                        }
                    }
                }

                public class Tally
                {
                    private readonly object _gate = new object();
                    private readonly List<string> _names = new List<string>();
                    private volatile int _hits;
                    private int _count;
                    private int _version;

                    public int CountAll(string[] items)
                    {
                        Parallel.ForEach(items, item =>
                        {
                            _count++;
                            _names.Add(item);
                        });
                        return _count + _names.Count;
                    }

                    public Task StartAll(int partitions)
                    {
                        var tasks = new List<Task>();
                        for (var i = 0; i < partitions; i++)
                        {
                            tasks.Add(Task.Run(() => Console.WriteLine(i)));
                        }

                        return Task.WhenAll(tasks);
                    }

                    public void Hit() => _hits++;

                    public void Bump()
                    {
                        lock (_gate)
                        {
                            _version++;
                        }
                    }

                    public void ResetVersion()
                    {
                        _version = 0;
                    }
                }

                public sealed class ProductCache
                {
                    private static readonly object s_gate = new object();
                    private static ProductCache? s_shared;
                    private static Dictionary<string, string>? s_names;
                    private readonly ConcurrentDictionary<string, int> _hits = new ConcurrentDictionary<string, int>();
                    private readonly ConcurrentDictionary<string, string> _templates = new ConcurrentDictionary<string, string>();

                    public static ProductCache Shared
                    {
                        get
                        {
                            if (s_shared == null)
                            {
                                lock (s_gate)
                                {
                                    s_shared = new ProductCache();
                                }
                            }

                            return s_shared;
                        }
                    }

                    public static Dictionary<string, string> Names => s_names ??= new Dictionary<string, string>();

                    public void Hit(string sku)
                    {
                        if (_hits.TryGetValue(sku, out var count))
                        {
                            _hits[sku] = count + 1;
                        }
                        else
                        {
                            _hits[sku] = 1;
                        }
                    }

                    public string Template(string name) => _templates.GetOrAdd(name, n => File.ReadAllText(n));
                }

                public class StockBook
                {
                    private readonly object _stock = new object();
                    private readonly object _audit = new object();
                    private object _report = new object();
                    private readonly SpinLock _counterSpin = new SpinLock(false);
                    private readonly List<string> _lines = new List<string>();
                    private int _count;

                    public void Reserve(string item)
                    {
                        lock (_stock)
                        {
                            _count++;
                            lock (_audit) { _lines.Add(item); }
                        }
                    }

                    public string[] Drain()
                    {
                        lock (_audit)
                        {
                            lock (_stock)
                            {
                                var lines = _lines.ToArray();
                                _lines.Clear();
                                return lines;
                            }
                        }
                    }

                    public int Report()
                    {
                        lock (_report)
                        {
                            lock (this) { return _count; }
                        }
                    }

                    public void Record(string line)
                    {
                        Monitor.Enter(_audit);
                        _lines.Add(line.Trim());
                        Monitor.Exit(_audit);
                    }

                    public int Peek()
                    {
                        var taken = false;
                        try
                        {
                            _counterSpin.Enter(ref taken);
                            return _lines.Count;
                        }
                        finally
                        {
                            if (taken) _counterSpin.Exit();
                        }
                    }
                }

                public sealed class LeaseWorker
                {
                    private readonly HttpClient _http = new HttpClient();
                    private Task? _heartbeat;

                    public Task StartAsync(CancellationToken cancellationToken)
                    {
                        _ = RenewAsync();
                        return Task.CompletedTask;
                    }

                    public void StartHeartbeat() => _heartbeat = HeartbeatAsync();

                    public Task? Heartbeat => _heartbeat;

                    private async Task RenewAsync(CancellationToken cancellationToken = default)
                    {
                        while (!cancellationToken.IsCancellationRequested)
                        {
                            await Task.Delay(1000, cancellationToken);
                        }
                    }

                    internal async Task HeartbeatAsync()
                    {
                        while (true)
                        {
                            await Task.Delay(5000);
                        }
                    }

                    public async Task<string> FetchAsync(string url, CancellationToken cancellationToken)
                    {
                        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        deadline.CancelAfter(2000);
                        using var response = await _http.GetAsync(url, deadline.Token);
                        return await response.Content.ReadAsStringAsync();
                    }

                    public async Task<string?> TryFetchAsync(string url)
                    {
                        var request = _http.GetStringAsync(url);
                        if (await Task.WhenAny(request, Task.Delay(500)) != request)
                        {
                            return null;
                        }

                        return await request;
                    }
                }

                public sealed class LabelStage : IDisposable
                {
                    private readonly Channel<string> _labels = Channel.CreateUnbounded<string>();

                    public void Stop() => _labels.Writer.Complete();

                    public void Dispose() => _labels.Writer.Complete();

                    public static async Task ExportAsync(ChannelWriter<string> output, string[] rows)
                    {
                        foreach (var row in rows)
                        {
                            await output.WriteAsync(row);
                        }

                        output.Complete();
                        await output.WriteAsync("end");
                    }

                    public async Task PrintAsync(string[] rows)
                    {
                        var manifest = Channel.CreateUnbounded<string>();
                        var printer = Task.Run(async () =>
                        {
                            await foreach (var line in manifest.Reader.ReadAllAsync())
                            {
                                Console.WriteLine(line);
                            }
                        });
                        var builder = Task.Run(async () =>
                        {
                            foreach (var row in rows)
                            {
                                await manifest.Writer.WriteAsync(row);
                            }
                        });
                        await builder;
                        await printer;
                    }
                }
            }
            """;
    }
}
