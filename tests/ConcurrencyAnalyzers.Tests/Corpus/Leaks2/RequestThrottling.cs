using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.RequestThrottling;

/// <summary>Caps the number of in-flight operations with a <see cref="SemaphoreSlim"/>.</summary>
public sealed class ConcurrencyLimiter : IDisposable
{
    private readonly SemaphoreSlim _gate;

    public ConcurrencyLimiter(int maxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        _gate = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public int Available => _gate.CurrentCount;

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> TryRunAsync(Func<CancellationToken, Task> action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await action(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

public sealed class ThrottledApiClient
{
    private readonly HttpClient _http;
    private readonly ConcurrencyLimiter _limiter;

    public ThrottledApiClient(HttpClient http, ConcurrencyLimiter limiter)
    {
        _http = http;
        _limiter = limiter;
    }

    public Task<string> GetStringAsync(string path, CancellationToken cancellationToken) =>
        _limiter.RunAsync(ct => _http.GetStringAsync(path, ct), cancellationToken);

    public Task<HttpResponseMessage> PostAsync(string path, HttpContent content, CancellationToken cancellationToken) =>
        _limiter.RunAsync(_ => _http.PostAsync(path, content), cancellationToken); // expect: CONC012

    public async Task<string?> TryGetWithinAsync(string path, TimeSpan budget, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // expect: CONC013
        cts.CancelAfter(budget);
        try
        {
            return await _limiter.RunAsync(ct => _http.GetStringAsync(path, ct), cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public Task<bool> TryPingAsync(TimeSpan queueTimeout, CancellationToken cancellationToken) =>
        _limiter.TryRunAsync(
            async ct =>
            {
                using var response = await _http.GetAsync("health", HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            },
            queueTimeout,
            cancellationToken);

    /// <summary>Touches every path once so the downstream caches are warm; at most four at a time.</summary>
    public async Task WarmAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(paths, options, async (path, ct) =>
        {
            using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }).ConfigureAwait(false);
    }
}
