using System;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks.FileWatcherService;

public interface ILogger
{
    void Info(string message);
    void Error(Exception exception, string message);
}

public interface IConfigSink
{
    void Apply(string fileName, string contents);
}

/// <summary>
/// Watches a drop folder and moves every CSV that lands there into the archive,
/// one file at a time, in arrival order.
/// </summary>
public sealed class DropFolderImporter : IAsyncDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly Channel<string> _arrivals = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly string _archiveFolder;
    private readonly ILogger _log;
    private readonly Task _importLoop;

    public DropFolderImporter(string dropFolder, string archiveFolder, ILogger log)
    {
        _archiveFolder = archiveFolder;
        _log = log;
        _watcher = new FileSystemWatcher(dropFolder, "*.csv")
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite,
        };
        _watcher.Created += (_, e) => _arrivals.Writer.TryWrite(e.FullPath); // expect: CONC040
        _watcher.Renamed += (_, e) => _arrivals.Writer.TryWrite(e.FullPath); // expect: CONC040

        _importLoop = ImportLoopAsync(_stop.Token);
        _watcher.EnableRaisingEvents = true;
    }

    // Hard stop: abandons whatever is still queued.
    public void Abort() => _stop.Cancel();

    private async Task ImportLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var path in _arrivals.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await ImportAsync(path, cancellationToken);
                }
                catch (IOException ex)
                {
                    _log.Error(ex, $"Could not import {path}; it will be picked up on its next change.");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ImportAsync(string path, CancellationToken cancellationToken)
    {
        var target = Path.Combine(_archiveFolder, Path.GetFileName(path));
        await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
        await using (var destination = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await source.CopyToAsync(destination, cancellationToken);
            await destination.FlushAsync(); // expect: CONC012
        }

        File.Delete(path);
        _log.Info($"Imported {Path.GetFileName(path)}.");
    }

    public async ValueTask DisposeAsync()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _arrivals.Writer.TryComplete(); // let the loop drain what already arrived
        await _importLoop;
        _stop.Dispose();
    }
}

/// <summary>Reloads a JSON config file whenever it changes on disk.</summary>
public sealed class ConfigFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly IConfigSink _sink;
    private readonly string _path;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);

    public ConfigFileWatcher(string path, IConfigSink sink, ILogger log)
    {
        _path = path;
        _sink = sink;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path));
        _watcher.Changed += async (_, e) =>
        {
            try
            {
                await ReloadAsync(e.FullPath);
            }
            catch (Exception ex)
            {
                log.Error(ex, $"Reloading {e.Name} failed; keeping the current settings.");
            }
        };
        _watcher.EnableRaisingEvents = true;
    }

    public async Task ReloadAsync(string path, CancellationToken cancellationToken = default)
    {
        await _reloadGate.WaitAsync(cancellationToken);
        try
        {
            // Editors save in two steps (truncate, then write); give them a moment to finish.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            var text = await File.ReadAllTextAsync(path, cancellationToken);
            _sink.Apply(Path.GetFileName(path), text);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    // Ops command: "reload config" from the admin console.
    public void ForceReload()
    {
        _ = ReloadAsync(_path); // expect: CONC010
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _reloadGate.Dispose();
    }
}

/// <summary>Follows a log file like `tail -f` and hands each new line to a callback.</summary>
public sealed class LogTailer
{
    public void Follow(string path, Action<string> onLine)
    {
        var thread = new Thread(async () => // expect: CONC010
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            stream.Seek(0, SeekOrigin.End);
            while (true) // expect: CONC011
            {
                var line = await reader.ReadLineAsync();
                if (line is null)
                {
                    await Task.Delay(250);
                    continue;
                }

                onLine(line);
            }
        })
        {
            IsBackground = true,
            Name = $"tail:{Path.GetFileName(path)}",
        };
        thread.Start();
    }
}
