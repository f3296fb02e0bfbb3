using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Files;

/// <summary>
/// Partners upload files over SFTP into an inbox folder; these helpers wait for them to land.
/// </summary>
public sealed class FileDropWatcher
{
    private readonly string _inbox;

    public FileDropWatcher(string inbox)
    {
        _inbox = inbox;
        Directory.CreateDirectory(inbox);
    }

    public string Inbox => _inbox;

    public string WaitForCompleteFile(string name, TimeSpan timeout)
    {
        var path = Path.Combine(_inbox, name);
        var deadline = DateTime.UtcNow + timeout;

        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{name} did not arrive within {timeout}.");
            }

            Thread.Sleep(250);
        }

        // Wait until the upload stops growing and nobody holds the file open.
        long previousLength = -1;
        while (true)
        {
            var length = new FileInfo(path).Length;
            if (length == previousLength && !IsLocked(path))
            {
                return path;
            }

            previousLength = length;
            Thread.Sleep(500);
        }
    }

    public async Task<string> WaitForFileAsync(string name, CancellationToken token)
    {
        var path = Path.Combine(_inbox, name);
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var watcher = new FileSystemWatcher(_inbox, name);
        watcher.Created += (_, e) => arrived.TrySetResult(e.FullPath);
        watcher.Renamed += (_, e) => arrived.TrySetResult(e.FullPath);
        watcher.EnableRaisingEvents = true;

        // The file may have landed before the watcher was armed.
        if (File.Exists(path))
        {
            return path;
        }

        using var registration = token.Register(() => arrived.TrySetCanceled(token));
        return await arrived.Task.ConfigureAwait(false);
    }

    public async Task WaitForLockReleaseAsync(string path, CancellationToken token)
    {
        while (IsLocked(path))
        {
            await Task.Delay(100, token).ConfigureAwait(false);
        }
    }

    public static void WaitUntilUtc(DateTime targetUtc)
    {
        while (DateTime.UtcNow < targetUtc)
        {
            var remainingMs = (targetUtc - DateTime.UtcNow).TotalMilliseconds;
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Clamp(remainingMs, 0, 1000)));
        }
    }

    private static bool IsLocked(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}

public sealed class InboxProcessor
{
    private readonly FileDropWatcher _watcher;

    public InboxProcessor(FileDropWatcher watcher) => _watcher = watcher;

    public int Run(Func<string, bool> handle, CancellationToken token)
    {
        var processed = 0;
        while (!token.IsCancellationRequested)
        {
            var files = Directory.GetFiles(_watcher.Inbox, "*.ready");
            foreach (var file in files)
            {
                if (handle(file))
                {
                    File.Move(file, Path.ChangeExtension(file, ".done"), overwrite: true);
                    processed++;
                }
            }

            if (files.Length == 0)
            {
                Thread.Sleep(1000);
            }
        }

        return processed;
    }
}
