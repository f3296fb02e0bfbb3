using System;
using System.Collections.Generic;

namespace Corpus.Locks.TieredBlobCache;

public interface ILogger
{
    void Debug(string message);
    void Info(string message);
}

public sealed record CacheEntry(string Key, byte[] Payload, DateTimeOffset StoredAt);

/// <summary>
/// Keeps blobs in a slot array; the index maps keys to slots. The index and the
/// slot storage have separate locks so lookups do not wait for large copies.
/// </summary>
public sealed class BlobCache
{
    private readonly object _indexLock = new();
    private readonly object _storageLock = new();
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<CacheEntry?> _slots = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly ILogger _logger;
    private long _bytesStored;

    public BlobCache(ILogger logger)
    {
        _logger = logger;
    }

    public byte[]? Get(string key)
    {
        int slot;
        lock (_indexLock)
        {
            if (!_index.TryGetValue(key, out slot))
            {
                return null;
            }
        }

        lock (_storageLock)
        {
            var entry = slot < _slots.Count ? _slots[slot] : null;
            return entry is not null && entry.Key == key ? entry.Payload : null;
        }
    }

    public void Put(string key, byte[] payload)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("Cache key is required.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(payload);

        lock (_indexLock)
        {
            if (_index.TryGetValue(key, out var existing))
            {
                OverwriteSlot(existing, key, payload); // expect: CONC030
                return;
            }

            var slot = AllocateSlot(new CacheEntry(key, payload, DateTimeOffset.UtcNow)); // expect: CONC030
            _index[key] = slot;
        }
    }

    public bool Remove(string key)
    {
        int slot;
        lock (_indexLock)
        {
            if (!_index.Remove(key, out slot))
            {
                return false;
            }
        }

        ReleaseSlot(slot, key);
        return true;
    }

    public int Compact(long maxBytes)
    {
        var evicted = 0;
        lock (_storageLock)
        {
            for (var slot = 0; slot < _slots.Count && _bytesStored > maxBytes; slot++)
            {
                var entry = _slots[slot];
                if (entry is null)
                {
                    continue;
                }

                _slots[slot] = null;
                _freeSlots.Push(slot);
                _bytesStored -= entry.Payload.Length;
                DropFromIndex(entry.Key, slot); // expect: CONC030
                evicted++;
            }
        }

        if (evicted > 0)
        {
            _logger.Info($"Compaction evicted {evicted} entries.");
        }

        return evicted;
    }

    public (int Entries, long Bytes) GetStats()
    {
        int entries;
        lock (_indexLock)
        {
            entries = _index.Count;
        }

        lock (_storageLock)
        {
            return (entries, _bytesStored);
        }
    }

    private void OverwriteSlot(int slot, string key, byte[] payload)
    {
        var entry = new CacheEntry(key, payload, DateTimeOffset.UtcNow);
        WriteSlot(slot, entry);
    }

    private void WriteSlot(int slot, CacheEntry entry)
    {
        lock (_storageLock)
        {
            var previous = _slots[slot];
            _bytesStored += entry.Payload.Length - (previous?.Payload.Length ?? 0);
            _slots[slot] = entry;
        }
    }

    private int AllocateSlot(CacheEntry entry)
    {
        lock (_storageLock)
        {
            int slot;
            if (_freeSlots.Count > 0)
            {
                slot = _freeSlots.Pop();
                _slots[slot] = entry;
            }
            else
            {
                slot = _slots.Count;
                _slots.Add(entry);
            }

            _bytesStored += entry.Payload.Length;
            return slot;
        }
    }

    private void ReleaseSlot(int slot, string key)
    {
        lock (_storageLock)
        {
            var entry = _slots[slot];
            if (entry is null || entry.Key != key)
            {
                return;
            }

            _slots[slot] = null;
            _freeSlots.Push(slot);
            _bytesStored -= entry.Payload.Length;
        }
    }

    private void DropFromIndex(string key, int slot)
    {
        _logger.Debug($"Evicting '{key}' from slot {slot}.");
        RemoveIndexEntry(key, slot);
    }

    private void RemoveIndexEntry(string key, int slot)
    {
        lock (_indexLock)
        {
            if (_index.TryGetValue(key, out var current) && current == slot)
            {
                _index.Remove(key);
            }
        }
    }
}
