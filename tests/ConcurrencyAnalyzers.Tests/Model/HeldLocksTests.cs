using System.Linq;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class HeldLocksTests
    {
        private const string Source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Locks
            {
                private readonly object _sync = new object();
                private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
                private readonly ReaderWriterLockSlim _rw = new ReaderWriterLockSlim();
                private readonly Mutex _mutex = new Mutex();
                private int _x;

                public async Task AllAsync()
                {
                    _x = 1; // none
                    lock (_sync) { _x = 2; } // lock
                    Monitor.Enter(_sync);
                    try { _x = 3; } // monitor
                    finally { Monitor.Exit(_sync); }
                    _x = 4; // released
                    var taken = false;
                    try { Monitor.Enter(_sync, ref taken); _x = 5; } // lockTaken
                    finally { if (taken) Monitor.Exit(_sync); }
                    await _gate.WaitAsync();
                    try { _x = 6; } // semaphore
                    finally { _gate.Release(); }
                    _rw.EnterReadLock();
                    try { _x = 7; } // read lock
                    finally { _rw.ExitReadLock(); }
                    _rw.EnterWriteLock();
                    try { _x = 8; } // write lock
                    finally { _rw.ExitWriteLock(); }
                    _mutex.WaitOne();
                    try { _x = 9; } // mutex
                    finally { _mutex.ReleaseMutex(); }
                    lock (this) { lock (typeof(Locks)) { _x = 10; } } // nested
                }
            }
            """;

        [Theory]
        [InlineData(1, "")]
        [InlineData(2, "_sync:Monitor")]
        [InlineData(3, "_sync:Monitor")]
        [InlineData(4, "")]
        [InlineData(5, "_sync:Monitor")]
        [InlineData(6, "_gate:Semaphore")]
        [InlineData(7, "_rw:ReadLock")]
        [InlineData(8, "_rw:WriteLock")]
        [InlineData(9, "_mutex:Mutex")]
        [InlineData(10, "this:Monitor,typeof(Locks):Monitor")]
        public async Task Knows_which_locks_are_held_at_each_write(int value, string expected)
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var body = helper.MethodBody("AllAsync");
            var write = helper.Operation<AssignmentExpressionSyntax>("_x = " + value + ";".TrimEnd(';'));
            var held = HeldLocks.At(write, body, helper.Types);
            Assert.Equal(expected, string.Join(",", held.Select(l => l.Display + ":" + l.Kind).OrderBy(x => x)));
        }
    }
}
