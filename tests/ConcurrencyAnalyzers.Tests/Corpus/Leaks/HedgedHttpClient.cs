using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.HedgedHttpClient;

/// <summary>
/// Reads from a replicated read-only API. Two HttpClients point at two replicas.
/// </summary>
public sealed class HedgedReader
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);
    private readonly HttpClient _primary;
    private readonly HttpClient _secondary;
    private readonly TimeSpan _hedgeAfter;

    public HedgedReader(HttpClient primary, HttpClient secondary, TimeSpan hedgeAfter)
    {
        _primary = primary;
        _secondary = secondary;
        _hedgeAfter = hedgeAfter;
    }

    // Sends to the primary; if it has not answered after _hedgeAfter, also asks the
    // secondary and takes whichever answers first.
    public async Task<string> GetHedgedAsync(string path, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var primary = _primary.GetStringAsync(path, cts.Token);
        var first = await Task.WhenAny(primary, Task.Delay(_hedgeAfter, cts.Token));
        if (first == primary)
        {
            cts.Cancel(); // stops the hedge timer
            return await primary;
        }

        var secondary = _secondary.GetStringAsync(path, cts.Token);
        var winner = await Task.WhenAny(primary, secondary);
        cts.Cancel(); // the slower request is no longer needed
        return await winner;
    }

    // Races both replicas from the start; the slower response is simply dropped.
    public async Task<string> GetFromFastestReplicaAsync(string path, CancellationToken cancellationToken)
    {
        var fromPrimary = _primary.GetStringAsync(path, cancellationToken);
        var fromSecondary = _secondary.GetStringAsync(path, cancellationToken);
        var first = await Task.WhenAny(fromPrimary, fromSecondary);
        return await first;
    }

    // Best-effort lookup used by the dashboard tiles; null when the backend is slow.
    public async Task<string?> TryGetQuicklyAsync(string path, TimeSpan timeout)
    {
        var request = _primary.GetStringAsync(path);
        var completed = await Task.WhenAny(request, Task.Delay(timeout)); // expect: CONC014
        if (completed != request)
        {
            return null;
        }

        return await request;
    }

    public async Task<string?> TryGetWithinAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var request = _primary.GetStringAsync(path, cts.Token);
        var delay = Task.Delay(timeout, cts.Token);
        if (await Task.WhenAny(request, delay) != request)
        {
            cts.Cancel();
            return null;
        }

        cts.Cancel(); // release the timer
        return await request;
    }

    public async Task<string?> GetWithDeadlineAsync(string path, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(deadline);
        var request = _secondary.GetStringAsync(path, cts.Token);

        // The handler honours cancellation, but a misbehaving proxy may not; never wait past the deadline plus a grace period.
        var finished = await Task.WhenAny(request, Task.Delay(deadline + Grace, cancellationToken));
        if (finished != request)
        {
            return null;
        }

        return await request;
    }

    public Task<string> GetWithTimeoutAsync(string path, TimeSpan timeout, CancellationToken cancellationToken) =>
        _primary.GetStringAsync(path, cancellationToken).WaitAsync(timeout, cancellationToken);

    // Touches the hot paths after a deploy so the replicas fill their caches.
    public async Task<int> WarmUpAsync(string[] paths, CancellationToken cancellationToken)
    {
        var warmed = 0;
        foreach (var path in paths)
        {
            var perRequest = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // expect: CONC013
            perRequest.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                using var response = await _primary.GetAsync(path, perRequest.Token);
                if (response.IsSuccessStatusCode)
                {
                    warmed++;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // one slow path should not stop the warm-up
            }
        }

        return warmed;
    }

    public async Task<bool> IsPrimaryHealthyAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            using var response = await _primary.GetAsync("/healthz", cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }
}
