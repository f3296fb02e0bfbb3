using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Text
{
    internal static class TokenizerStats
    {
        [ThreadStatic] private static int t_tokensOnThisThread;
        [ThreadStatic] private static StringBuilder? t_scratch;
        private static long s_totalTokens;

        public static StringBuilder Scratch => t_scratch ??= new StringBuilder(256);

        public static int TokensOnThisThread => t_tokensOnThisThread;

        public static long TotalTokens => Interlocked.Read(ref s_totalTokens);

        public static void Count(int tokens)
        {
            t_tokensOnThisThread += tokens;
            Interlocked.Add(ref s_totalTokens, tokens);
        }
    }

    /// <summary>
    /// Word-frequency counter for the search-suggestion builder. Uses per-thread state so the
    /// hot loop needs no locks.
    /// </summary>
    public sealed class ParallelTokenizer : IDisposable
    {
        private static readonly char[] Separators = { ' ', '\t', '\n', '\r', ',', '.', ';', ':', '!', '?' };

        private readonly ThreadLocal<Dictionary<string, int>> _perThreadCounts =
            new(() => new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase), trackAllValues: true);

        private readonly AsyncLocal<string?> _currentDocument = new();

        public string? CurrentDocument => _currentDocument.Value;

        public IReadOnlyDictionary<string, int> CountWords(IReadOnlyList<string> documents)
        {
            foreach (var perThread in _perThreadCounts.Values)
            {
                perThread.Clear();
            }

            Parallel.ForEach(documents, doc =>
            {
                var counts = _perThreadCounts.Value!;
                var words = doc.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
                foreach (var word in words)
                {
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
                TokenizerStats.Count(words.Length);
            });

            var merged = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var perThread in _perThreadCounts.Values)
            {
                foreach (var pair in perThread)
                {
                    merged[pair.Key] = merged.GetValueOrDefault(pair.Key) + pair.Value;
                }
            }
            return merged;
        }

        public long CountCharacters(IReadOnlyList<string> documents)
        {
            long total = 0;
            Parallel.For(
                0,
                documents.Count,
                () => 0L,
                (i, state, local) => local + documents[i].Length,
                local => Interlocked.Add(ref total, local));
            return total;
        }

        public string[] NormalizeAll(IReadOnlyList<string> documents)
        {
            var normalized = new string[documents.Count];
            Parallel.For(0, documents.Count, i =>
            {
                normalized[i] = Normalize(documents[i]);
            });
            return normalized;
        }

        public async Task<int> MeasureWithContextAsync(IReadOnlyList<string> documents)
        {
            var tasks = documents
                .Select((doc, index) => Task.Run(() =>
                {
                    _currentDocument.Value = $"doc-{index}";
                    return Normalize(doc).Length;
                }))
                .ToArray();
            var lengths = await Task.WhenAll(tasks).ConfigureAwait(false);
            return lengths.Sum();
        }

        private static string Normalize(string text)
        {
            var sb = TokenizerStats.Scratch;
            sb.Clear();
            foreach (var word in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(word.ToLowerInvariant());
            }
            return sb.ToString();
        }

        public void Dispose()
        {
            _perThreadCounts.Dispose();
        }
    }
}
