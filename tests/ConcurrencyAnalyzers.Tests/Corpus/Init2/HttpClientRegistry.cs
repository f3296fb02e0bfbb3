using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.HttpClientRegistry;

// Minimal stand-ins for the DI abstractions; the real host wires these up.
public interface IServiceCollection
{
    void Add(Type serviceType, Func<object> factory);
}

public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSingleton<T>(this IServiceCollection services, Func<T> factory) where T : class
    {
        var instance = new Lazy<T>(factory, LazyThreadSafetyMode.ExecutionAndPublication);
        services.Add(typeof(T), () => instance.Value);
        return services;
    }
}

public sealed record ClientOptions(Uri BaseAddress, TimeSpan Timeout, int MaxConnections);

/// <summary>Hands out configured HttpClients for the downstream services (billing, catalog, ...).</summary>
public sealed class NamedHttpClientFactory : IDisposable
{
    private readonly ConcurrentDictionary<string, ClientOptions> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<HttpClient>> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SocketsHttpHandler> _streamingHandlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();
    private volatile SocketsHttpHandler? _sharedHandler;

    public void Configure(string name, ClientOptions options) =>
        _options.AddOrUpdate(name, options, (_, _) => options);

    public HttpClient CreateClient(string name)
    {
        var lazy = _clients.GetOrAdd(name,
            n => new Lazy<HttpClient>(() => BuildClient(n), LazyThreadSafetyMode.ExecutionAndPublication));
        return lazy.Value;
    }

    // Streaming endpoints (exports, webhooks) get their own handler so they don't starve the shared pool.
    public HttpMessageInvoker CreateStreamingInvoker(string name)
    {
        var handler = _streamingHandlers.GetOrAdd(name,
            n => new SocketsHttpHandler // expect: CONC053
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = OptionsFor(n).MaxConnections,
            });
        return new HttpMessageInvoker(handler, disposeHandler: false);
    }

    private HttpClient BuildClient(string name)
    {
        var options = OptionsFor(name);
        return new HttpClient(SharedHandler(), disposeHandler: false)
        {
            BaseAddress = options.BaseAddress,
            Timeout = options.Timeout,
        };
    }

    private ClientOptions OptionsFor(string name) =>
        _options.TryGetValue(name, out var options)
            ? options
            : throw new InvalidOperationException($"No HTTP client named '{name}' is configured.");

    private SocketsHttpHandler SharedHandler()
    {
        if (_sharedHandler == null) // expect: CONC051
        {
            lock (_gate)
            {
                _sharedHandler = new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    MaxConnectionsPerServer = 50,
                };
            }
        }
        return _sharedHandler;
    }

    public void Dispose()
    {
        foreach (var lazy in _clients.Values.Where(l => l.IsValueCreated))
            lazy.Value.Dispose();
        foreach (var handler in _streamingHandlers.Values)
            handler.Dispose();
        _sharedHandler?.Dispose();
    }
}

public static class DownstreamClientsModule
{
    public static IServiceCollection AddDownstreamClients(this IServiceCollection services) =>
        services.AddSingleton(() =>
        {
            var factory = new NamedHttpClientFactory();
            factory.Configure("billing", new ClientOptions(new Uri("https://billing.internal/"), TimeSpan.FromSeconds(5), 20));
            factory.Configure("catalog", new ClientOptions(new Uri("https://catalog.internal/"), TimeSpan.FromSeconds(3), 50));
            return factory;
        });
}

public sealed class OrderSummaryHandler
{
    private readonly NamedHttpClientFactory _clients;

    public OrderSummaryHandler(NamedHttpClientFactory clients) => _clients = clients;

    // Both downstream calls run concurrently; the page needs both answers.
    public async Task<string[]> HandleAsync(string orderId, CancellationToken ct)
    {
        var invoice = _clients.CreateClient("billing").GetStringAsync($"invoices/{orderId}", ct);
        var items = _clients.CreateClient("catalog").GetStringAsync($"orders/{orderId}/items", ct);
        return await Task.WhenAll(invoice, items).ConfigureAwait(false);
    }
}
