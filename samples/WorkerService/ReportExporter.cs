using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>Writes daily reports. The correct counterparts of the sample's findings live here.</summary>
    public sealed class ReportExporter
    {
        private readonly List<string> _written = new List<string>();

        /// <summary>Exports each report on its own task and waits for all of them: no sleep needed.</summary>
        public async Task<int> ExportAllAsync(IEnumerable<string> reports, string folder, CancellationToken cancellationToken)
        {
            var exports = new List<Task>();
            foreach (var report in reports)
            {
                exports.Add(Task.Run(() => Write(folder, report), cancellationToken));
            }

            await Task.WhenAll(exports);
            lock (_written)
            {
                return _written.Count;
            }
        }

        /// <summary>A synchronous retry with backoff: a deliberate pause, no started work to wait for.</summary>
        public static void ReplaceWithRetry(string source, string target)
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    File.Move(source, target, overwrite: true);
                    return;
                }
                catch (IOException)
                {
                    Thread.Sleep(50 * (attempt + 1));
                }
            }
        }

        private void Write(string folder, string report)
        {
            var path = Path.Combine(folder, report + ".txt");
            File.WriteAllText(path, report);
            lock (_written)
            {
                _written.Add(path);
            }
        }
    }
}
