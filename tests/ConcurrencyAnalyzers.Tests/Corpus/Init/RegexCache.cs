using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Corpus.Init.RegexCache;

public static class PatternLibrary
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly Regex Slug = new Regex("[^a-z0-9]+", RegexOptions.Compiled | RegexOptions.CultureInvariant, MatchTimeout);
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Usage = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Misses = new(StringComparer.Ordinal);
    private static Regex s_email;

    public static Regex Email
    {
        get
        {
            if (s_email == null) // expect: CONC050
            {
                s_email = new Regex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.Compiled | RegexOptions.IgnoreCase, MatchTimeout);
            }

            return s_email;
        }
    }

    public static string ToSlug(string title) => Slug.Replace(title.ToLowerInvariant(), "-").Trim('-');

    public static Regex Get(string pattern)
    {
        Usage.AddOrUpdate(pattern, 1, (_, n) => n + 1);
        return Compiled.GetOrAdd(pattern, p => new Regex(p, RegexOptions.Compiled | RegexOptions.CultureInvariant, MatchTimeout));
    }

    public static bool TryGetCompiled(string pattern, out Regex regex) => Compiled.TryGetValue(pattern, out regex);

    public static bool IsMatch(string pattern, string input)
    {
        try
        {
            var matched = Get(pattern).IsMatch(input);
            if (!matched)
            {
                RecordMiss(pattern);
            }

            return matched;
        }
        catch (RegexMatchTimeoutException)
        {
            RecordMiss(pattern);
            return false;
        }
    }

    public static int MissCount(string pattern)
    {
        if (Misses.TryGetValue(pattern, out var misses))
        {
            return misses;
        }

        return 0;
    }

    public static IReadOnlyList<KeyValuePair<string, int>> MostUsed(int count) =>
        Usage.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Take(count).ToList();

    public static bool Forget(string pattern)
    {
        Usage.TryRemove(pattern, out _);
        Misses.TryRemove(pattern, out _);
        return Compiled.TryRemove(pattern, out _);
    }

    private static void RecordMiss(string pattern)
    {
        Misses[pattern] = Misses.GetValueOrDefault(pattern) + 1; // expect: CONC052
    }
}
