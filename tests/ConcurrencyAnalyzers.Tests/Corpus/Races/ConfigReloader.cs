using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Configuration
{
    public sealed class AppSettings
    {
        public AppSettings(IReadOnlyDictionary<string, string> values, DateTime loadedUtc)
        {
            Values = values;
            LoadedUtc = loadedUtc;
        }

        public IReadOnlyDictionary<string, string> Values { get; }

        public DateTime LoadedUtc { get; }

        public string Get(string key, string fallback) => Values.TryGetValue(key, out var value) ? value : fallback;

        public static AppSettings Parse(string text, DateTime loadedUtc)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                int eq = line.IndexOf('=');
                if (eq <= 0) continue;
                values[line.Substring(0, eq).Trim()] = line.Substring(eq + 1).Trim();
            }
            return new AppSettings(values, loadedUtc);
        }
    }

    /// <summary>
    /// Polls a settings file and atomically publishes a new immutable snapshot when it changes.
    /// A single watcher thread is the only writer of the polling bookkeeping fields.
    /// </summary>
    public sealed class ConfigReloader : IDisposable
    {
        private readonly string _path;
        private readonly TimeSpan _interval;
        private readonly CancellationTokenSource _cts = new();
        private AppSettings _current;
        private Thread? _watcher;
        private volatile bool _running;
        private int _reloadCount;
        private DateTime _lastCheckedUtc;

        public ConfigReloader(string path, TimeSpan interval)
        {
            _path = path;
            _interval = interval;
            _current = Load();
        }

        public AppSettings Current => Volatile.Read(ref _current);

        public int ReloadCount => Volatile.Read(ref _reloadCount);

        public DateTime LastCheckedUtc => _lastCheckedUtc;

        public void Start()
        {
            _running = true;
            _watcher = new Thread(WatchLoop) { IsBackground = true, Name = "config-watcher" };
            _watcher.Start();
        }

        private void WatchLoop()
        {
            DateTime lastWrite = File.GetLastWriteTimeUtc(_path);
            while (_running && !_cts.IsCancellationRequested)
            {
                _cts.Token.WaitHandle.WaitOne(_interval);
                _lastCheckedUtc = DateTime.UtcNow;
                var stamp = File.GetLastWriteTimeUtc(_path);
                if (stamp == lastWrite) continue;

                lastWrite = stamp;
                Interlocked.Exchange(ref _current, Load());
                Interlocked.Increment(ref _reloadCount);
            }
        }

        public async Task<AppSettings> ReloadNowAsync()
        {
            var loaded = await Task.Run(() => Load()).ConfigureAwait(false);
            Interlocked.Exchange(ref _current, loaded);
            Interlocked.Increment(ref _reloadCount);
            return loaded;
        }

        public IReadOnlyList<AppSettings> LoadOverlays(IReadOnlyList<string> overlayPaths)
        {
            var results = new AppSettings[overlayPaths.Count];
            var tasks = new Task[overlayPaths.Count];
            for (int i = 0; i < overlayPaths.Count; i++)
            {
                var path = overlayPaths[i];
                var slot = i;
                tasks[i] = Task.Run(() =>
                {
                    results[slot] = AppSettings.Parse(File.ReadAllText(path), DateTime.UtcNow);
                });
            }

            Task.WaitAll(tasks);
            return results.OrderBy(r => r.Values.Count).ToList();
        }

        public void Stop()
        {
            _running = false;
            _cts.Cancel();
            _watcher?.Join();
        }

        public void Dispose()
        {
            Stop();
            _cts.Dispose();
        }

        private AppSettings Load()
        {
            return File.Exists(_path)
                ? AppSettings.Parse(File.ReadAllText(_path), DateTime.UtcNow)
                : new AppSettings(new Dictionary<string, string>(), DateTime.UtcNow);
        }
    }
}
