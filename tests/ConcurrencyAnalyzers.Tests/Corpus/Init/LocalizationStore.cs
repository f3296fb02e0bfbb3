using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init.LocalizationStore;

public interface IServiceCollection
{
    IServiceCollection Register(Type serviceType, string lifetime);
}

public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSingleton<TService>(this IServiceCollection services)
        where TService : class
        => services.Register(typeof(TService), "Singleton");

    public static IServiceCollection AddLocalization(this IServiceCollection services)
        => services.AddSingleton<LocalizationStore>();
}

public sealed class ResourceBundle
{
    private readonly IReadOnlyDictionary<string, string> _strings;

    public ResourceBundle(CultureInfo culture, IReadOnlyDictionary<string, string> strings)
    {
        Culture = culture;
        _strings = strings;
    }

    public static ResourceBundle Empty { get; } = new ResourceBundle(CultureInfo.InvariantCulture, new Dictionary<string, string>());

    public CultureInfo Culture { get; }

    public string this[string key] => _strings.TryGetValue(key, out var text) ? text : key;
}

public sealed class LocalizationStore
{
    private readonly string _resourceRoot;
    private readonly ConcurrentDictionary<string, Task<ResourceBundle>> _bundles = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Task<ResourceBundle>>> _overlays = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Task<ResourceBundle>> _builtIn = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, CultureInfo> _cultures = new(StringComparer.OrdinalIgnoreCase);
    private CultureInfo _fallbackCulture;

    public LocalizationStore()
        : this(Path.Combine(AppContext.BaseDirectory, "i18n"))
    {
    }

    public LocalizationStore(string resourceRoot) => _resourceRoot = resourceRoot;

    public CultureInfo FallbackCulture =>
        _fallbackCulture ??= CultureInfo.GetCultureInfo(Environment.GetEnvironmentVariable("APP_FALLBACK_CULTURE") ?? "en-US"); // expect: CONC050

    public CultureInfo Culture(string name) => _cultures.GetOrAdd(name, n => CultureInfo.GetCultureInfo(n));

    public Task<ResourceBundle> GetBundleAsync(string culture) =>
        _bundles.GetOrAdd(culture, c => LoadBundleAsync(c)); // expect: CONC053

    public Task<ResourceBundle> GetOverlayAsync(string culture) =>
        _overlays.GetOrAdd(
            culture,
            c => new Lazy<Task<ResourceBundle>>(() => LoadBundleAsync(c + ".overlay"), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    // Strings compiled into the binary, so that error pages render even when the resource folder is missing.
    public Task<ResourceBundle> GetBuiltInAsync(string culture) =>
        _builtIn.GetOrAdd(culture, c => Task.FromResult(BuiltIn(c)));

    public async Task<string> TranslateAsync(string culture, string key)
    {
        var bundle = await GetBundleAsync(culture).ConfigureAwait(false);
        var text = bundle[key];
        if (!string.Equals(text, key, StringComparison.Ordinal))
        {
            return text;
        }

        var fallback = await GetBundleAsync(FallbackCulture.Name).ConfigureAwait(false);
        return fallback[key];
    }

    public bool Invalidate(string culture)
    {
        if (_bundles.ContainsKey(culture)) // expect: CONC052
        {
            _bundles.TryRemove(culture, out _);
            _overlays.TryRemove(culture, out _);
            return true;
        }

        return false;
    }

    public bool Drop(string culture) => _bundles.TryRemove(culture, out _) | _overlays.TryRemove(culture, out _);

    private static ResourceBundle BuiltIn(string culture) =>
        new ResourceBundle(
            CultureInfo.InvariantCulture,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["error.generic"] = "Something went wrong.",
                ["error.notFound"] = "The page could not be found.",
                ["culture"] = culture,
            });

    private async Task<ResourceBundle> LoadBundleAsync(string culture)
    {
        var path = Path.Combine(_resourceRoot, culture + ".strings");
        if (!File.Exists(path))
        {
            return ResourceBundle.Empty;
        }

        var lines = await File.ReadAllLinesAsync(path).ConfigureAwait(false);
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var eq = line.IndexOf('=');
            if (eq > 0)
            {
                strings[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return new ResourceBundle(CultureInfo.GetCultureInfo(culture.Split('.')[0]), strings);
    }
}
