using System;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.HeartbeatSender;

public interface IAppLogger
{
    void Info(string message);
    void Warn(string message);
}

public sealed record HeartbeatOptions(Uri Endpoint, string InstanceId, TimeSpan Interval, TimeSpan RequestTimeout);

/// <summary>
/// Periodically tells the coordinator that this instance is alive, and reports
/// state changes (draining, degraded) as they happen.
/// </summary>
public sealed class HeartbeatSender : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HeartbeatOptions _options;
    private readonly IAppLogger _log;
    private readonly CancellationTokenSource _shutdown = new();
    private Task? _loop;
    private long _consecutiveFailures;

    public HeartbeatSender(HttpClient http, HeartbeatOptions options, IAppLogger log)
    {
        _http = http;
        _options = options;
        _log = log;
    }

    public long ConsecutiveFailures => Interlocked.Read(ref _consecutiveFailures);

    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The heartbeat has already been started.");
        }

        var token = _shutdown.Token;
        _loop = Task.Run(() => RunAsync(token), token);
    }

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var registerUri = new Uri(_options.Endpoint, "register");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = JsonBody(new { instance = _options.InstanceId });
                using var response = await _http.PostAsync(registerUri, content, cancellationToken);
                response.EnsureSuccessStatusCode();
                _log.Info($"Registered {_options.InstanceId} after {attempt} attempt(s).");
                return;
            }
            catch (HttpRequestException ex) when (attempt < 5)
            {
                _log.Warn($"Registration attempt {attempt} failed: {ex.Message}");
            }

            await Task.Delay(TimeSpan.FromSeconds(attempt * 2)); // expect: CONC012
        }
    }

    // Called by the host when a drain begins so the coordinator stops routing traffic here.
    public void NotifyDraining()
    {
        _ = SendBeatAsync("draining", _shutdown.Token);
    }

    public void NotifyDegraded(string reason)
    {
        _log.Warn($"Reporting degraded state: {reason}");
        SendStatusNowAsync("degraded"); // expect: CONC010
    }

    public async Task<bool> ProbeCoordinatorAsync()
    {
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // expect: CONC013
        try
        {
            using var response = await _http.GetAsync(new Uri(_options.Endpoint, "health"), cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await SendBeatAsync("alive", cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task SendStatusNowAsync(string status)
    {
        using var cts = new CancellationTokenSource(_options.RequestTimeout);
        await SendBeatAsync(status, cts.Token);
    }

    private async Task SendBeatAsync(string status, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var content = JsonBody(new { instance = _options.InstanceId, status, sentAt = DateTimeOffset.UtcNow });
            using var response = await _http.PostAsync(new Uri(_options.Endpoint, "heartbeat"), content, timeout.Token);
            response.EnsureSuccessStatusCode();
            Interlocked.Exchange(ref _consecutiveFailures, 0);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var failures = Interlocked.Increment(ref _consecutiveFailures);
            _log.Warn($"Heartbeat '{status}' failed ({failures} in a row): {ex.Message}");
        }
    }

    private static StringContent JsonBody(object value) =>
        new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _shutdown.Dispose();
    }
}
