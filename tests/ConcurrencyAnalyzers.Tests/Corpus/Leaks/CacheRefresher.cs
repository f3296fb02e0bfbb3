using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.CacheRefresher;

public interface ILog
{
    void Info(string message);
    void Error(Exception exception, string message);
}

/// <summary>
/// Keeps an in-memory snapshot of the feature flags, refreshed from the flag service in the background.
/// Readers always see a complete snapshot; the refresher swaps the reference.
/// </summary>
public sealed class FeatureFlagCache : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _source;
    private readonly TimeSpan _period;
    private readonly ILog _log;
    private IReadOnlyDictionary<string, bool> _flags = new Dictionary<string, bool>();
    private CancellationTokenSource? _refreshCts;
    private Task? _refreshLoop;

    public FeatureFlagCache(HttpClient http, Uri source, TimeSpan period, ILog log)
    {
        _http = http;
        _source = source;
        _period = period;
        _log = log;
    }

    public bool IsEnabled(string flag) =>
        Volatile.Read(ref _flags).TryGetValue(flag, out var enabled) && enabled;

    public void Start()
    {
        _refreshCts = new CancellationTokenSource();
        var token = _refreshCts.Token;
        _refreshLoop = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                await RefreshOnceAsync(token);
                try
                {
                    await Task.Delay(_period, token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, token);
    }

    // Admin endpoint: "refresh now", without waiting for the result.
    public void RefreshSoon()
    {
        var token = _refreshCts?.Token ?? CancellationToken.None;
        _ = Task.Run(() => RefreshOnceAsync(token), cancellationToken: token);
    }

    // Called from the deployment hook with the request's token.
    public void RefreshInBackground(CancellationToken requestAborted)
    {
        _ = Task.Run(() => RefreshOnceAsync(requestAborted));
    }

    public Task RefreshNowAsync(CancellationToken cancellationToken) => RefreshOnceAsync(cancellationToken);

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(_source, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var flags = await JsonSerializer.DeserializeAsync<Dictionary<string, bool>>(body, cancellationToken: cancellationToken);
            if (flags is not null)
            {
                Volatile.Write(ref _flags, flags);
                _log.Info($"Loaded {flags.Count} feature flags.");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            _log.Error(ex, "Feature flag refresh failed; keeping the previous snapshot.");
        }
    }

    public async Task StopAsync()
    {
        if (_refreshCts is null || _refreshLoop is null)
        {
            return;
        }

        _refreshCts.Cancel();
        await _refreshLoop;
    }

    public void Dispose()
    {
        _refreshCts?.Cancel();
        _refreshCts?.Dispose();
    }
}

/// <summary>Price list loaded from the ERP export; refreshed every few minutes.</summary>
public sealed class PriceListCache
{
    private readonly Func<Task<IReadOnlyDictionary<string, decimal>>> _load;
    private readonly ILog _log;
    private IReadOnlyDictionary<string, decimal> _prices = new Dictionary<string, decimal>();

    public PriceListCache(Func<Task<IReadOnlyDictionary<string, decimal>>> load, ILog log)
    {
        _load = load;
        _log = log;
    }

    public decimal? PriceOf(string sku) =>
        Volatile.Read(ref _prices).TryGetValue(sku, out var price) ? price : null;

    public void StartBackgroundRefresh(TimeSpan period)
    {
        Task.Run(async () => // expect: CONC010
        {
            while (true) // expect: CONC011
            {
                try
                {
                    var prices = await _load();
                    Volatile.Write(ref _prices, prices);
                }
                catch (Exception ex)
                {
                    _log.Error(ex, "Price list refresh failed.");
                }

                await Task.Delay(period);
            }
        });
    }
}
