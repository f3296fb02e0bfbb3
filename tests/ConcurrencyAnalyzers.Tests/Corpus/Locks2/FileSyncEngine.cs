using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks2.FileSyncEngine;

public interface IRemoteStore
{
    Task UploadAsync(string relativePath, Stream content, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken);
}

public interface ISyncLogger
{
    void Info(string message);

    void Error(Exception exception, string message);
}

public sealed record SyncStats(long FilesUploaded, long BytesUploaded);

public sealed class FileSyncEngine : IDisposable
{
    private readonly SemaphoreSlim _uploadSlots = new(4, 4);
    private readonly SemaphoreSlim _manifestGate = new(1, 1);
    private readonly ReaderWriterLockSlim _indexLock = new();
    private readonly Mutex _journalMutex = new(false, "Corpus.FileSync.Journal");
    private readonly object _statsSync = new();
    private readonly object _scanSync = new();
    private readonly Dictionary<string, string> _index = new(StringComparer.Ordinal);
    private readonly List<string> _manifest = new();
    private readonly IRemoteStore _remote;
    private readonly ISyncLogger _log;
    private readonly string _root;
    private readonly string _journalPath;
    private long _filesUploaded;
    private long _bytesUploaded;

    public FileSyncEngine(string root, IRemoteStore remote, ISyncLogger log)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Sync root '{root}' does not exist.");
        }

        _root = root;
        _journalPath = Path.Combine(root, ".sync-journal");
        _remote = remote ?? throw new ArgumentNullException(nameof(remote));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public SyncStats Stats
    {
        get
        {
            lock (_statsSync)
            {
                return new SyncStats(_filesUploaded, _bytesUploaded);
            }
        }
    }

    public async Task UploadAsync(string relativePath, CancellationToken cancellationToken)
    {
        var fullPath = Path.Combine(_root, relativePath);
        await _uploadSlots.WaitAsync(cancellationToken); // expect: CONC033
        long length;
        try
        {
            await using var stream = File.OpenRead(fullPath);
            length = stream.Length;
            await _remote.UploadAsync(relativePath, stream, cancellationToken);
        }
        catch (Exception ex)
        {
            _log.Error(ex, $"Upload of {relativePath} failed.");
            _uploadSlots.Release();
            throw;
        }

        _uploadSlots.Release();
        AddUploaded(length);
        await AppendJournalAsync($"uploaded {relativePath} ({length} bytes)", cancellationToken);
    }

    public void UpdateIndex(string relativePath, string contentHash)
    {
        if (string.IsNullOrEmpty(contentHash))
        {
            throw new ArgumentException("A content hash is required.", nameof(contentHash));
        }

        _indexLock.EnterWriteLock(); // expect: CONC033
        _index[relativePath] = contentHash;
        _indexLock.ExitWriteLock();
    }

    public bool NeedsUpload(string relativePath, string contentHash)
    {
        _indexLock.EnterReadLock();
        try
        {
            return !_index.TryGetValue(relativePath, out var known) || known != contentHash;
        }
        finally
        {
            _indexLock.ExitReadLock();
        }
    }

    public async Task AddToManifestAsync(string relativePath, CancellationToken cancellationToken)
    {
        await _manifestGate.WaitAsync(cancellationToken);
        try
        {
            if (!_manifest.Contains(relativePath))
            {
                _manifest.Add(relativePath);
                await File.WriteAllLinesAsync(Path.Combine(_root, ".sync-manifest"), _manifest, cancellationToken);
            }
        }
        finally
        {
            _manifestGate.Release();
        }
    }

    // For bulk operations that rewrite the manifest themselves; dispose the lease to release.
    public async Task<IDisposable> LockManifestAsync(CancellationToken cancellationToken)
    {
        await _manifestGate.WaitAsync(cancellationToken);
        return new GateLease(_manifestGate);
    }

    public void CompactJournal(int keepLast)
    {
        if (keepLast <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(keepLast));
        }

        _journalMutex.WaitOne();
        try
        {
            if (!File.Exists(_journalPath))
            {
                return;
            }

            var lines = File.ReadAllLines(_journalPath);
            if (lines.Length > keepLast)
            {
                File.WriteAllLines(_journalPath, lines[^keepLast..]);
            }
        }
        finally
        {
            _journalMutex.ReleaseMutex();
        }
    }

    public Func<string, CancellationToken, Task<int>> CreateRemoteScanHandler()
    {
        return async (prefix, cancellationToken) =>
        {
            Monitor.Enter(_scanSync);
            try
            {
                var remoteFiles = await _remote.ListAsync(prefix, cancellationToken); // expect: CONC034
                var missing = 0;
                foreach (var path in remoteFiles)
                {
                    if (!File.Exists(Path.Combine(_root, path)))
                    {
                        missing++;
                    }
                }

                _log.Info($"Remote scan of '{prefix}': {remoteFiles.Count} file(s), {missing} missing locally.");
                return missing;
            }
            finally
            {
                Monitor.Exit(_scanSync);
            }
        };
    }

    public void Dispose()
    {
        _uploadSlots.Dispose();
        _manifestGate.Dispose();
        _indexLock.Dispose();
        _journalMutex.Dispose();
    }

    private async Task AppendJournalAsync(string line, CancellationToken cancellationToken)
    {
        _journalMutex.WaitOne();
        try
        {
            var entry = $"{DateTimeOffset.UtcNow:O} {line}{Environment.NewLine}";
            await File.AppendAllTextAsync(_journalPath, entry, cancellationToken); // expect: CONC034
            _log.Info($"Journal: {line}");
        }
        finally
        {
            _journalMutex.ReleaseMutex();
        }
    }

    private void AddUploaded(long bytes)
    {
        Monitor.Enter(_statsSync); // expect: CONC033
        _filesUploaded++;
        _bytesUploaded += bytes;
        Monitor.Exit(_statsSync);
    }

    private sealed class GateLease : IDisposable
    {
        private SemaphoreSlim? _gate;

        public GateLease(SemaphoreSlim gate)
        {
            _gate = gate;
        }

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
