using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.TokenCacheService;

public sealed record AccessToken(string Value, DateTimeOffset ExpiresAt)
{
    // Treat tokens as expired a little early so in-flight requests don't fail at the boundary.
    public bool IsExpired => DateTimeOffset.UtcNow >= ExpiresAt.AddSeconds(-30);
}

internal sealed class TokenResponse
{
    [JsonPropertyName("access_token")] public string Token { get; set; } = "";
    [JsonPropertyName("expires_in")] public int ExpiresIn { get; set; }
}

/// <summary>
/// Client-credentials token cache shared by every outgoing API client in the process.
/// </summary>
public sealed class AccessTokenCache
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ConcurrentDictionary<string, AccessToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<AccessToken>>> _inflight = new(StringComparer.Ordinal);
    private readonly object _keyGate = new();
    private readonly Uri _tokenEndpoint;
    private readonly string _clientId;
    private RSA? _signingKey;

    public AccessTokenCache(Uri tokenEndpoint, string clientId)
    {
        _tokenEndpoint = tokenEndpoint;
        _clientId = clientId;
    }

    // Blocking path, still used by the legacy SOAP adapters.
    public AccessToken GetToken(string scope)
    {
        var token = _tokens.GetOrAdd(scope,
            s => RequestToken(s)); // expect: CONC053
        if (!token.IsExpired)
            return token;

        var fresh = RequestToken(scope);
        _tokens.TryUpdate(scope, fresh, token);
        return fresh;
    }

    public async Task<AccessToken> GetTokenAsync(string scope, CancellationToken ct = default)
    {
        if (_tokens.TryGetValue(scope, out var cached) && !cached.IsExpired)
            return cached;

        // One network call per scope no matter how many callers are waiting for it.
        var lazy = _inflight.GetOrAdd(scope,
            s => new Lazy<Task<AccessToken>>(() => RequestTokenAsync(s)));
        try
        {
            return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            // Only remove the entry we awaited; a newer refresh may already be in flight.
            _inflight.TryRemove(new KeyValuePair<string, Lazy<Task<AccessToken>>>(scope, lazy));
        }
    }

    private AccessToken RequestToken(string scope)
    {
        using var request = BuildRequest(scope);
        using var response = s_http.Send(request);
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream();
        return ToToken(JsonSerializer.Deserialize<TokenResponse>(body));
    }

    private async Task<AccessToken> RequestTokenAsync(string scope)
    {
        using var request = BuildRequest(scope);
        using var response = await s_http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        var token = ToToken(await JsonSerializer.DeserializeAsync<TokenResponse>(body).ConfigureAwait(false));
        _tokens[scope] = token;
        return token;
    }

    private HttpRequestMessage BuildRequest(string scope)
    {
        var payload = Encoding.UTF8.GetBytes($"{_clientId}:{scope}:{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}");
        var assertion = Convert.ToBase64String(
            GetSigningKey().SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        return new HttpRequestMessage(HttpMethod.Post, _tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _clientId,
                ["scope"] = scope,
                ["client_assertion"] = assertion,
            }),
        };
    }

    private static AccessToken ToToken(TokenResponse? response) =>
        response is null
            ? throw new InvalidOperationException("Token endpoint returned an empty body.")
            : new AccessToken(response.Token, DateTimeOffset.UtcNow.AddSeconds(response.ExpiresIn));

    private RSA GetSigningKey()
    {
        if (_signingKey == null) // expect: CONC051
        {
            lock (_keyGate)
            {
                if (_signingKey == null)
                {
                    var rsa = RSA.Create();
                    rsa.ImportFromPem(Environment.GetEnvironmentVariable("TOKEN_SIGNING_KEY_PEM")
                        ?? throw new InvalidOperationException("TOKEN_SIGNING_KEY_PEM is not set."));
                    _signingKey = rsa;
                }
            }
        }
        return _signingKey;
    }
}

public static class TokenPrefetcher
{
    // Called at startup so the first real requests don't pay for the token round trips.
    public static Task WarmUpAsync(AccessTokenCache cache, IReadOnlyList<string> scopes, CancellationToken ct) =>
        Task.WhenAll(scopes.Select(s => cache.GetTokenAsync(s, ct)));

    public static void WarmUpLegacy(AccessTokenCache cache, IEnumerable<string> scopes) =>
        Parallel.ForEach(scopes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, scope => cache.GetToken(scope));
}
