using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace Corpus.Locks.BufferedFileLogger;

public enum LogLevel
{
    Debug,
    Information,
    Warning,
    Error,
}

public sealed record LogLine(DateTimeOffset At, LogLevel Level, string Category, string Message);

public interface ILogSink
{
    void WriteBatch(IReadOnlyList<LogLine> lines);
}

/// <summary>
/// Buffers log lines in memory and writes them in batches. Lock order is always
/// flush lock, then buffer lock.
/// </summary>
public sealed class BufferedLogger : IDisposable
{
    private readonly object _flushLock = new();
    private readonly object _bufferLock = new();
    private readonly List<LogLine> _buffer = new();
    private readonly ILogSink _sink;
    private readonly ILogSink _fallbackSink;
    private readonly LogLevelSwitch _levelSwitch;
    private readonly int _flushThreshold;
    private long _dropped;
    private long _batchesWritten;
    private bool _disposed;

    public BufferedLogger(ILogSink sink, ILogSink fallbackSink, LogLevelSwitch levelSwitch, int flushThreshold = 256)
    {
        _sink = sink;
        _fallbackSink = fallbackSink;
        _levelSwitch = levelSwitch;
        _flushThreshold = Math.Max(1, flushThreshold);
    }

    public void Log(LogLevel level, string category, string message)
    {
        if (!_levelSwitch.IsEnabled(category, level))
        {
            return;
        }

        bool shouldFlush;
        lock (_bufferLock)
        {
            if (_disposed)
            {
                _dropped++;
                return;
            }

            _buffer.Add(new LogLine(DateTimeOffset.UtcNow, level, category, message));
            shouldFlush = _buffer.Count >= _flushThreshold;
        }

        // Flushing happens after the buffer lock is released.
        if (shouldFlush)
        {
            Flush();
        }
    }

    public void Flush()
    {
        lock (_flushLock)
        {
            var batch = TakeBuffered();
            if (batch.Count > 0)
            {
                WriteBatch(batch);
            }
        }
    }

    /// <summary>Called from the periodic timer; skips the tick instead of queueing behind a slow flush.</summary>
    public bool TryFlush(TimeSpan wait)
    {
        var lockTaken = false;
        try
        {
            Monitor.TryEnter(_flushLock, wait, ref lockTaken);
            if (!lockTaken)
            {
                return false;
            }

            var batch = TakeBuffered();
            if (batch.Count > 0)
            {
                WriteBatch(batch);
            }

            return true;
        }
        finally
        {
            if (lockTaken)
            {
                Monitor.Exit(_flushLock);
            }
        }
    }

    public (int Buffered, long Dropped, long Batches) GetStats()
    {
        int buffered;
        long dropped;
        lock (_bufferLock)
        {
            buffered = _buffer.Count;
            dropped = _dropped;
        }

        lock (_flushLock)
        {
            return (buffered, dropped, _batchesWritten);
        }
    }

    public void Dispose()
    {
        var lockTaken = false;
        try
        {
            Monitor.Enter(_flushLock, ref lockTaken);
            List<LogLine> remaining;
            lock (_bufferLock)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                remaining = new List<LogLine>(_buffer);
                _buffer.Clear();
            }

            if (remaining.Count > 0)
            {
                WriteBatch(remaining);
            }
        }
        finally
        {
            if (lockTaken)
            {
                Monitor.Exit(_flushLock);
            }
        }
    }

    private List<LogLine> TakeBuffered()
    {
        lock (_bufferLock)
        {
            var batch = new List<LogLine>(_buffer);
            _buffer.Clear();
            return batch;
        }
    }

    // Callers hold _flushLock.
    private void WriteBatch(List<LogLine> batch)
    {
        lock (_flushLock)
        {
            try
            {
                _sink.WriteBatch(batch);
            }
            catch (IOException)
            {
                _fallbackSink.WriteBatch(batch);
            }

            _batchesWritten++;
        }
    }
}

public sealed class LogLevelSwitch : IDisposable
{
    private readonly ReaderWriterLockSlim _levelsLock = new();
    private readonly Dictionary<string, LogLevel> _minimumLevels = new(StringComparer.Ordinal);
    private LogLevel _defaultLevel = LogLevel.Information;

    public bool IsEnabled(string category, LogLevel level)
    {
        _levelsLock.EnterReadLock();
        try
        {
            return level >= (_minimumLevels.TryGetValue(category, out var minimum) ? minimum : _defaultLevel);
        }
        finally
        {
            _levelsLock.ExitReadLock();
        }
    }

    public void SetLevel(string? category, LogLevel level)
    {
        _levelsLock.EnterWriteLock();
        try
        {
            if (category is null)
            {
                _defaultLevel = level;
            }
            else
            {
                _minimumLevels[category] = level;
            }
        }
        finally
        {
            _levelsLock.ExitWriteLock();
        }
    }

    public void Dispose() => _levelsLock.Dispose();
}
