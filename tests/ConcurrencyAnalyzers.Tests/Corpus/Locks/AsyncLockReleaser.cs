using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks.AsyncLockReleaser;

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public interface IDocumentBackend
{
    Task WriteAsync(string id, string content, CancellationToken cancellationToken);

    Task<string?> ReadAsync(string id, CancellationToken cancellationToken);
}

/// <summary>Async mutual exclusion; dispose the returned releaser to leave.</summary>
public sealed class AsyncLock
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async ValueTask<Releaser> LockAsync(CancellationToken cancellationToken = default)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(this);
    }

    public Releaser Lock()
    {
        _semaphore.Wait();
        return new Releaser(this);
    }

    private void Exit() => _semaphore.Release();

    public readonly struct Releaser : IDisposable
    {
        private readonly AsyncLock? _owner;

        internal Releaser(AsyncLock owner) => _owner = owner;

        public void Dispose() => _owner?.Exit();
    }
}

public sealed class ReadWriteGuard : IDisposable
{
    private readonly ReaderWriterLockSlim _rw = new(LockRecursionPolicy.NoRecursion);

    public ReadScope Read()
    {
        _rw.EnterReadLock();
        return new ReadScope(_rw);
    }

    public WriteScope Write()
    {
        _rw.EnterWriteLock();
        return new WriteScope(_rw);
    }

    public void Dispose() => _rw.Dispose();

    public readonly struct ReadScope : IDisposable
    {
        private readonly ReaderWriterLockSlim _lock;

        internal ReadScope(ReaderWriterLockSlim rwLock) => _lock = rwLock;

        public void Dispose() => _lock.ExitReadLock();
    }

    public readonly struct WriteScope : IDisposable
    {
        private readonly ReaderWriterLockSlim _lock;

        internal WriteScope(ReaderWriterLockSlim rwLock) => _lock = rwLock;

        public void Dispose() => _lock.ExitWriteLock();
    }
}

public sealed class DocumentStore : IDisposable
{
    private readonly AsyncLock _saveLock = new();
    private readonly ReadWriteGuard _indexGuard = new();
    private readonly Dictionary<string, string> _contentHashes = new(StringComparer.Ordinal);
    private readonly IDocumentBackend _backend;
    private readonly ILogger _logger;
    private SpinLock _versionSpin = new(enableThreadOwnerTracking: false);
    private long _version;

    public DocumentStore(IDocumentBackend backend, ILogger logger)
    {
        _backend = backend;
        _logger = logger;
    }

    public async Task<long> SaveAsync(string id, string content, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException("Document id is required.", nameof(id));
        }

        var hash = Hash(content);
        using (_indexGuard.Read())
        {
            if (_contentHashes.TryGetValue(id, out var existing) && existing == hash)
            {
                _logger.Info($"Document {id} unchanged; skipping write.");
                return CurrentVersion();
            }
        }

        using (await _saveLock.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            await _backend.WriteAsync(id, content, cancellationToken).ConfigureAwait(false);
            using (_indexGuard.Write())
            {
                _contentHashes[id] = hash;
            }

            return NextVersion();
        }
    }

    public void Forget(string id)
    {
        using (_saveLock.Lock())
        {
            using (_indexGuard.Write())
            {
                _contentHashes.Remove(id);
            }
        }
    }

    public int Count
    {
        get
        {
            using (_indexGuard.Read())
            {
                return _contentHashes.Count;
            }
        }
    }

    private long NextVersion()
    {
        var taken = false;
        try
        {
            _versionSpin.Enter(ref taken);
            return ++_version;
        }
        finally
        {
            if (taken)
            {
                _versionSpin.Exit();
            }
        }
    }

    private long CurrentVersion()
    {
        var taken = false;
        try
        {
            _versionSpin.Enter(ref taken);
            return _version;
        }
        finally
        {
            if (taken)
            {
                _versionSpin.Exit();
            }
        }
    }

    private static string Hash(string content) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public void Dispose() => _indexGuard.Dispose();
}

/// <summary>Ensures only one instance of the maintenance job runs on this machine.</summary>
public sealed class SingleInstanceGuard : IDisposable
{
    private readonly Mutex _mutex;
    private readonly ILogger _logger;

    public SingleInstanceGuard(string name, ILogger logger)
    {
        _mutex = new Mutex(false, name);
        _logger = logger;
    }

    public bool RunExclusive(Action work, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!_mutex.WaitOne(timeout))
        {
            _logger.Warn("Another instance holds the maintenance lock.");
            return false;
        }

        try
        {
            work();
            return true;
        }
        finally
        {
            _mutex.ReleaseMutex();
        }
    }

    public void Dispose() => _mutex.Dispose();
}
