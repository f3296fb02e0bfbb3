using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;

namespace WorkerService
{
    /// <summary>Product names and per-supplier clients, shared by every order the worker processes in parallel.</summary>
    public sealed class CatalogCache
    {
        private static readonly object s_gate = new object();
        private static CatalogCache? s_instance;
        private static Dictionary<string, string>? s_aliases;

        private readonly ConcurrentDictionary<string, HttpClient> _suppliers = new ConcurrentDictionary<string, HttpClient>();
        private readonly ConcurrentDictionary<string, int> _lookups = new ConcurrentDictionary<string, int>();

        public static CatalogCache Instance
        {
            get
            {
                if (s_instance == null)
                {
                    lock (s_gate)
                    {
                        s_instance = new CatalogCache();
                    }
                }

                return s_instance;
            }
        }

        public static string Canonical(string item)
        {
            s_aliases ??= LoadAliases();
            return s_aliases.TryGetValue(item, out var name) ? name : item;
        }

        public HttpClient Supplier(string host) =>
            _suppliers.GetOrAdd(host, h => new HttpClient { BaseAddress = new Uri("https://" + h) });

        public void CountLookup(string item)
        {
            if (_lookups.TryGetValue(item, out var count))
            {
                _lookups[item] = count + 1;
            }
            else
            {
                _lookups[item] = 1;
            }
        }

        public static void Warm(IEnumerable<string> items) =>
            Parallel.ForEach(items, item => Instance.CountLookup(Canonical(item)));

        private static Dictionary<string, string> LoadAliases() =>
            File.Exists("aliases.txt")
                ? new Dictionary<string, string> { ["apples"] = "apple" }
                : new Dictionary<string, string>();
    }
}
