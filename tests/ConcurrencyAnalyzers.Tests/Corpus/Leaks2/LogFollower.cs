using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks2.LogFollower;

/// <summary>"tail -f" for a log file: new lines are published on <see cref="Lines"/>.</summary>
public sealed class LogTailer : IAsyncDisposable
{
    private readonly string _path;
    private readonly TimeSpan _pollInterval;
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000)
    {
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private CancellationTokenSource? _cts;
    private Task? _tail;

    public LogTailer(string path, TimeSpan pollInterval)
    {
        _path = path;
        _pollInterval = pollInterval;
    }

    public event EventHandler? Rotated;

    public ChannelReader<string> Lines => _lines.Reader;

    public void Start()
    {
        if (_cts is not null)
        {
            throw new InvalidOperationException("The tailer is already running.");
        }

        _cts = new CancellationTokenSource();
        _tail = TailAsync(_cts.Token);

        var rotationWatcher = new Thread(WatchForRotation) { IsBackground = true, Name = $"rotation:{Path.GetFileName(_path)}" };
        rotationWatcher.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cts is null)
        {
            return;
        }

        _cts.Cancel();
        try
        {
            if (_tail is not null)
            {
                await _tail;
            }
        }
        finally
        {
            _cts.Dispose();
        }
    }

    private async Task TailAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 4096, useAsync: true);
            stream.Seek(0, SeekOrigin.End);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            using var timer = new PeriodicTimer(_pollInterval);

            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                string? line;
                while ((line = await reader.ReadLineAsync()) is not null) // expect: CONC012
                {
                    await _lines.Writer.WriteAsync(line, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped by DisposeAsync
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            _lines.Writer.TryComplete(failure);
        }
    }

    private void WatchForRotation()
    {
        var lastLength = new FileInfo(_path).Length;
        for (;;) // expect: CONC011
        {
            Thread.Sleep(_pollInterval);
            var info = new FileInfo(_path);
            var length = info.Exists ? info.Length : 0;
            if (length < lastLength)
            {
                Rotated?.Invoke(this, EventArgs.Empty);
            }

            lastLength = length;
        }
    }
}

public static class LogSegments
{
    public static async Task<string> ReadSegmentAsync(string path, long offset, int length, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 4096, useAsync: true);
        stream.Seek(offset, SeekOrigin.Begin);

        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read, length - read)); // expect: CONC012
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public static async Task CopyFromAsync(string path, long offset, Stream destination, CancellationToken cancellationToken)
    {
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 81920, useAsync: true);
        source.Seek(offset, SeekOrigin.Begin);
        await source.CopyToAsync(destination, cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>Follows a file on a dedicated thread (used by the CLI, which has no async context).</summary>
    public static Thread FollowOnThread(string path, Action<string> onLine, CancellationToken cancellationToken)
    {
        var thread = new Thread(() =>
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            for (;;)
            {
                var line = reader.ReadLine();
                if (line is not null)
                {
                    onLine(line);
                    continue;
                }

                // Nothing new yet: wait a little, waking immediately if cancellation is requested.
                if (cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
                {
                    return;
                }
            }
        })
        {
            IsBackground = true,
            Name = "log-follow",
        };

        thread.Start();
        return thread;
    }
}
