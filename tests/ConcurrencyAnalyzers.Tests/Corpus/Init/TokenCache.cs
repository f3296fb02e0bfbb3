using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace Corpus.Init.TokenCache;

public interface IServiceCollection
{
    IServiceCollection Register(Type serviceType, string lifetime);
}

public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services)
        where TService : class
        => services.Register(typeof(TService), "Singleton");

    public static IServiceCollection AddTokenCache(this IServiceCollection services)
        => services.AddSingleton<TokenCache>();
}

public sealed record AccessToken(string Scope, string Value, DateTimeOffset ExpiresAt)
{
    // Treat tokens as expired a minute early so callers never send one that dies in flight.
    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt - TimeSpan.FromMinutes(1);
}

public sealed class TokenSerializer
{
    private readonly JsonSerializerOptions _options;

    public TokenSerializer(JsonSerializerOptions options) => _options = options;

    public string Serialize(AccessToken token) => JsonSerializer.Serialize(token, _options);
}

public sealed class TokenCache
{
    private readonly ConcurrentDictionary<string, AccessToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HttpClient> _authorityClients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _cacheKeys = new(StringComparer.Ordinal);
    private TokenSerializer _serializer;
    private string _defaultAudience;

    public string DefaultAudience => _defaultAudience ??= "api://default";

    public TokenSerializer Serializer => _serializer ??= new TokenSerializer(new JsonSerializerOptions { WriteIndented = false }); // expect: CONC050

    public void UseAudience(string audience) => _defaultAudience = audience;

    public AccessToken GetOrIssue(string scope, Func<string, AccessToken> issue)
    {
        if (!_tokens.TryGetValue(scope, out var token)) // expect: CONC052
        {
            token = issue(scope);
            _tokens[scope] = token;
        }

        return token;
    }

    public AccessToken Refresh(string scope, Func<string, AccessToken> issue)
    {
        var fresh = issue(scope);
        _tokens.AddOrUpdate(scope, fresh, (_, _) => fresh);
        return fresh;
    }

    public DateTimeOffset? ExpiresAt(string scope)
    {
        if (_tokens.TryGetValue(scope, out var token))
        {
            return token.ExpiresAt;
        }

        return null;
    }

    public void Invalidate(string scope) => _tokens.TryRemove(scope, out _);

    public int PurgeExpired(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var pair in _tokens)
        {
            // Only removes the entry if nobody refreshed it since we looked.
            if (pair.Value.IsExpired(now) && _tokens.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }

    public HttpClient ClientFor(string authority) =>
        _authorityClients.GetOrAdd(authority, a => new HttpClient { BaseAddress = new Uri(a) }); // expect: CONC053

    public string CacheKey(string tenant, string scope) =>
        _cacheKeys.GetOrAdd(tenant + "|" + scope, k => Convert.ToBase64String(Encoding.UTF8.GetBytes(k)));

    public string Export(string scope) =>
        _tokens.TryGetValue(scope, out var token) ? Serializer.Serialize(token) : string.Empty;
}
