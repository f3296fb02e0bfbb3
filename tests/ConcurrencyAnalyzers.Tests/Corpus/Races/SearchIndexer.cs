using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;

namespace Corpus.Races.Search
{
    public sealed record Document(int Id, string Title, string Body);

    /// <summary>Builds the in-memory inverted index for the help-center search box.</summary>
    public sealed class InvertedIndex
    {
        private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
        private readonly List<(string Token, int DocId)> _postings = new();
        private long _tokensSeen;
        private int _documentsIndexed;

        public long TokensSeen => Interlocked.Read(ref _tokensSeen);

        public int DocumentsIndexed => Volatile.Read(ref _documentsIndexed);

        public IReadOnlyList<int> Lookup(string token) =>
            _postings.Where(p => p.Token == token).Select(p => p.DocId).Distinct().ToList();

        // "Fast" build added during the performance sprint.
        public void BuildFast(IEnumerable<Document> docs)
        {
            var tokenized = docs
                .AsParallel()
                .Select(d =>
                {
                    var tokens = Tokenize(d.Title + " " + d.Body);
                    _tokensSeen += tokens.Count;                                            // expect: CONC001
                    return (Id: d.Id, Tokens: tokens);
                })
                .ToList();

            tokenized.AsParallel().ForAll(entry =>
            {
                foreach (var token in entry.Tokens.Distinct())
                {
                    _documentFrequency[token] = _documentFrequency.GetValueOrDefault(token) + 1;  // expect: CONC002
                    _postings.Add((token, entry.Id));                                       // expect: CONC002
                }
                _documentsIndexed++;                                                        // expect: CONC001
            });
        }

        public void Build(IEnumerable<Document> docs)
        {
            var tokenized = docs
                .AsParallel()
                .AsOrdered()
                .Select(d => (Id: d.Id, Tokens: Tokenize(d.Title + " " + d.Body)))
                .ToList();

            long tokenCount = tokenized.AsParallel().Sum(t => (long)t.Tokens.Count);
            Interlocked.Add(ref _tokensSeen, tokenCount);

            foreach (var entry in tokenized)
            {
                foreach (var token in entry.Tokens.Distinct())
                {
                    _documentFrequency[token] = _documentFrequency.GetValueOrDefault(token) + 1;
                    _postings.Add((token, entry.Id));
                }
                _documentsIndexed++;
            }
        }

        public static IReadOnlyDictionary<string, int> TermFrequencies(IEnumerable<Document> docs)
        {
            var frequencies = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            docs.AsParallel().ForAll(d =>
            {
                foreach (var token in Tokenize(d.Body))
                {
                    frequencies.AddOrUpdate(token, 1, (_, count) => count + 1);
                }
            });
            return frequencies;
        }

        public double AverageLength(IReadOnlyList<Document> docs)
        {
            return docs.AsParallel().Select(d => Tokenize(d.Body).Count).DefaultIfEmpty(0).Average();
        }

        private static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            var current = new StringBuilder();
            foreach (var ch in text)
            {
                if (char.IsLetterOrDigit(ch))
                {
                    current.Append(char.ToLowerInvariant(ch));
                }
                else if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
            }

            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
            }
            return tokens;
        }
    }
}
