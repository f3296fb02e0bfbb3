using System;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Market;

public sealed class PriceFeedClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _minInterval = TimeSpan.FromMilliseconds(250);
    private readonly SemaphoreSlim _callGate = new(1, 1);
    private DateTime _lastCallUtc = DateTime.MinValue;
    private decimal _lastPrice;
    private string? _lastSymbol;

    public PriceFeedClient(Uri baseAddress)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
    }

    public async Task<decimal> GetPriceAsync(string symbol, CancellationToken token)
    {
        await _callGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            // The vendor allows four calls per second.
            var wait = _lastCallUtc + _minInterval - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, token).ConfigureAwait(false);
            }

            _lastCallUtc = DateTime.UtcNow;
            var text = await _http.GetStringAsync($"prices/{Uri.EscapeDataString(symbol)}", token).ConfigureAwait(false);
            return decimal.Parse(text.Trim(), CultureInfo.InvariantCulture);
        }
        finally
        {
            _callGate.Release();
        }
    }

    // Dashboard "refresh" button.
    public async Task<decimal> GetFreshPriceAsync(string symbol)
    {
        if (string.IsNullOrWhiteSpace(symbol))
        {
            throw new ArgumentException("Symbol is required.", nameof(symbol));
        }

        _ = Task.Run(async () =>
        {
            _lastPrice = await GetPriceAsync(symbol, CancellationToken.None).ConfigureAwait(false);
            _lastSymbol = symbol;
        });

        Thread.Sleep(300); // expect: CONC020 CONC021

        await Console.Out.WriteLineAsync($"fresh price for {_lastSymbol}: {_lastPrice}").ConfigureAwait(false);
        return _lastPrice;
    }

    public async Task<decimal> RefreshCachedPriceAsync(string symbol, CancellationToken token)
    {
        var refresh = Task.Run(async () =>
        {
            _lastPrice = await GetPriceAsync(symbol, token).ConfigureAwait(false);
            _lastSymbol = symbol;
        }, token);

        await refresh.ConfigureAwait(false);
        return _lastPrice;
    }

    public async Task WaitForMarketOpenAsync(CancellationToken token)
    {
        while (!await IsMarketOpenAsync(token).ConfigureAwait(false))
        {
            await Task.Delay(TimeSpan.FromSeconds(30), token).ConfigureAwait(false);
        }
    }

    public async Task WaitForHealthyAsync(TimeSpan timeout, CancellationToken token)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        cts.CancelAfter(timeout);
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync("health", cts.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not up yet.
            }

            await Task.Delay(500, cts.Token).ConfigureAwait(false);
        }
    }

    private async Task<bool> IsMarketOpenAsync(CancellationToken token)
    {
        var status = await _http.GetStringAsync("market/status", token).ConfigureAwait(false);
        return status.Trim().Equals("open", StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        _http.Dispose();
        _callGate.Dispose();
    }
}
