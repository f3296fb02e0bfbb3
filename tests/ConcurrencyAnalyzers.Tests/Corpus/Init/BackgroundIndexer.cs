using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init.BackgroundIndexer;

public sealed record Document(string Id, string ParentId, string Body, int Version);

public sealed class Tokenizer
{
    private static readonly char[] Separators = { ' ', '\t', '\n', '\r', ',', '.', ';', ':', '!', '?' };
    private readonly HashSet<string> _stopWords;

    public Tokenizer(IEnumerable<string> stopWords) =>
        _stopWords = new HashSet<string>(stopWords, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Tokenize(string text) =>
        text.Split(Separators, StringSplitOptions.RemoveEmptyEntries).Where(term => !_stopWords.Contains(term));
}

public sealed class SearchIndexer
{
    private readonly ConcurrentQueue<Document> _pending = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _postings = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _depth = new(StringComparer.Ordinal);
    private Tokenizer _tokenizer;
    private long _indexed;

    public long Indexed => Interlocked.Read(ref _indexed);

    private Tokenizer ActiveTokenizer
    {
        get
        {
            if (_tokenizer == null) // expect: CONC050
            {
                _tokenizer = new Tokenizer(new[] { "a", "an", "and", "of", "the", "to" });
            }

            return _tokenizer;
        }
    }

    public void Enqueue(Document document)
    {
        _pending.Enqueue(document);
        _signal.Release();
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Run(() => DrainAsync(cancellationToken), cancellationToken);

    // Synchronous flush of a single document, used by the admin endpoint.
    public void ProcessOne()
    {
        if (!_pending.IsEmpty) // expect: CONC052
        {
            _pending.TryDequeue(out var document);
            IndexDocument(document);
        }
    }

    public IReadOnlyCollection<string> Search(string term) =>
        _postings.TryGetValue(term, out var ids) ? ids.Distinct(StringComparer.Ordinal).ToList() : new List<string>();

    public IReadOnlyCollection<Document> FirstRevisions(IEnumerable<Document> batch)
    {
        var first = new ConcurrentDictionary<string, Document>(StringComparer.Ordinal);
        Parallel.ForEach(batch.OrderBy(d => d.Version), document =>
        {
            if (!first.ContainsKey(document.Id)) // expect: CONC052
            {
                first[document.Id] = document;
            }
        });

        return first.Values.ToList();
    }

    public IReadOnlyDictionary<string, int> ComputeDepths(IEnumerable<Document> parentsFirst)
    {
        var depths = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        foreach (var document in parentsFirst)
        {
            if (!depths.ContainsKey(document.Id))
            {
                depths[document.Id] = document.ParentId != null && depths.TryGetValue(document.ParentId, out var parentDepth) ? parentDepth + 1 : 0;
            }
        }

        return depths;
    }

    public void RecordDepth(Document document)
    {
        if (document.ParentId != null && _depth.TryGetValue(document.ParentId, out var parentDepth))
        {
            _depth[document.Id] = parentDepth + 1;
        }
        else
        {
            _depth[document.Id] = 0;
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            while (_pending.TryDequeue(out var document))
            {
                IndexDocument(document);
            }
        }
    }

    private void IndexDocument(Document document)
    {
        foreach (var term in ActiveTokenizer.Tokenize(document.Body).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            _postings.GetOrAdd(term, _ => new ConcurrentBag<string>()).Add(document.Id);
        }

        RecordDepth(document);
        Interlocked.Increment(ref _indexed);
    }
}
