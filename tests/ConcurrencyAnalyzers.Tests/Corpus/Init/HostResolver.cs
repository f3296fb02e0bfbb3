using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Corpus.Init.HostResolver;

public sealed class HostResolver
{
    private static readonly object s_defaultGate = new();
    private static HostResolver s_default;

    private readonly ConcurrentDictionary<string, IPAddress[]> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _canonical = new(StringComparer.OrdinalIgnoreCase);

    public static HostResolver Default
    {
        get
        {
            if (s_default == null) // expect: CONC051
            {
                lock (s_defaultGate)
                {
                    if (s_default == null)
                    {
                        s_default = new HostResolver();
                    }
                }
            }

            return s_default;
        }
    }

    public IPAddress[] Resolve(string host)
    {
        var key = Canonical(host);
        _lookups.AddOrUpdate(key, 1, (_, n) => n + 1);
        _lastSeen[key] = DateTimeOffset.UtcNow;
        return _addresses.GetOrAdd(key, h => Dns.GetHostAddresses(h)); // expect: CONC053
    }

    public string Canonical(string host) => _canonical.GetOrAdd(host, h => h.Trim().TrimEnd('.').ToLowerInvariant());

    public int LookupCount(string host) => _lookups.TryGetValue(Canonical(host), out var count) ? count : 0;

    public bool Forget(string host) => _addresses.TryRemove(Canonical(host), out _);

    public void Prefetch(IReadOnlyCollection<string> hosts)
    {
        using var done = new CountdownEvent(hosts.Count);
        foreach (var host in hosts)
        {
            ThreadPool.QueueUserWorkItem(
                h =>
                {
                    try
                    {
                        Resolve(h);
                    }
                    catch (SocketException)
                    {
                        // Unknown hosts are resolved again on first real use.
                    }
                    finally
                    {
                        done.Signal();
                    }
                },
                host,
                preferLocal: false);
        }

        done.Wait();
    }

    public static string Report(HostResolver resolver, IEnumerable<string> hosts)
    {
        var report = new LookupReport("Resolved hosts");
        foreach (var host in hosts)
        {
            report.Add(host, resolver.Resolve(host));
        }

        return report.ToString();
    }
}

public sealed class LookupReport
{
    private readonly string _title;
    private List<string> _lines;

    public LookupReport(string title) => _title = title;

    public LookupReport Add(string host, IPAddress[] addresses)
    {
        _lines ??= new List<string>();
        _lines.Add($"{host}: {string.Join(", ", addresses.Select(a => a.ToString()))}");
        return this;
    }

    public override string ToString() =>
        _lines == null ? _title : _title + Environment.NewLine + string.Join(Environment.NewLine, _lines);
}
