using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.LockCannotExcludeAnalyzer,
    ConcurrencyAnalyzers.Rules.LockCannotExcludeCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class LockCannotExcludeTests
    {
        [Fact]
        public Task Monitor_on_an_int_counter_boxes_and_every_Monitor_call_on_it_moves_to_a_lock_object()
        {
            const string source = """
                using System.Threading;

                public class HitCounter
                {
                    private int _hits;

                    public void Hit()
                    {
                        {|#0:Monitor.Enter(_hits)|};
                        try { _hits++; }
                        finally { Monitor.Exit(_hits); }
                    }

                    public int Read()
                    {
                        var taken = false;
                        try
                        {
                            {|#1:Monitor.TryEnter(_hits, ref taken)|};
                            return _hits;
                        }
                        finally
                        {
                            if (taken) Monitor.Exit(_hits);
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class HitCounter
                {
                    private readonly object _hitsLock = new object();
                    private int _hits;

                    public void Hit()
                    {
                        Monitor.Enter(_hitsLock);
                        try { _hits++; }
                        finally { Monitor.Exit(_hitsLock); }
                    }

                    public int Read()
                    {
                        var taken = false;
                        try
                        {
                            Monitor.TryEnter(_hitsLock, ref taken);
                            return _hits;
                        }
                        finally
                        {
                            if (taken) Monitor.Exit(_hitsLock);
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC034").WithLocation(0)
                    .WithMessage("Monitor.Enter boxes '_hits' (int) into a new object on every call, so no two threads ever lock the same object; lock on a private readonly object instead"),
                Verify.Diagnostic("CONC034").WithLocation(1));
        }

        [Fact]
        public Task A_SpinLock_in_a_readonly_field_loses_readonly_and_a_copy_becomes_a_ref_local()
        {
            const string source = """
                using System.Threading;

                public class SampleBuffer
                {
                    private readonly SpinLock {|#0:_spin|} = new SpinLock(false);
                    private SpinLock _statsSpin = new SpinLock(false);
                    private readonly double[] _samples = new double[128];
                    private int _count;

                    public void Add(double sample)
                    {
                        var taken = false;
                        try
                        {
                            _spin.Enter(ref taken);
                            _samples[_count++ % _samples.Length] = sample;
                        }
                        finally
                        {
                            if (taken) _spin.Exit();
                        }
                    }

                    public int Count()
                    {
                        var {|#1:spin = _statsSpin|};
                        var taken = false;
                        try
                        {
                            spin.Enter(ref taken);
                            return _count;
                        }
                        finally
                        {
                            if (taken) spin.Exit();
                        }
                    }
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class SampleBuffer
                {
                    private SpinLock _spin = new SpinLock(false);
                    private SpinLock _statsSpin = new SpinLock(false);
                    private readonly double[] _samples = new double[128];
                    private int _count;

                    public void Add(double sample)
                    {
                        var taken = false;
                        try
                        {
                            _spin.Enter(ref taken);
                            _samples[_count++ % _samples.Length] = sample;
                        }
                        finally
                        {
                            if (taken) _spin.Exit();
                        }
                    }

                    public int Count()
                    {
                        ref var spin = ref _statsSpin;
                        var taken = false;
                        try
                        {
                            spin.Enter(ref taken);
                            return _count;
                        }
                        finally
                        {
                            if (taken) spin.Exit();
                        }
                    }
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC034").WithLocation(0)
                    .WithMessage("SpinLock '_spin' is a struct in a readonly field: every Enter and Exit works on a copy, so the lock is never held; remove readonly"),
                Verify.Diagnostic("CONC034").WithLocation(1)
                    .WithMessage("'spin' is a copy of SpinLock '_statsSpin': Enter on the copy does not lock '_statsSpin'; use a ref local"));
        }

        [Fact]
        public Task A_Monitor_and_a_Mutex_held_across_await_are_reported_at_the_first_await_without_a_fix()
        {
            const string source = """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Journal
                {
                    private readonly object _gate = new object();
                    private readonly Mutex _file = new Mutex();

                    public async Task AppendAsync(Stream stream, byte[] entry)
                    {
                        Monitor.Enter(_gate);
                        try
                        {
                            {|#0:await stream.WriteAsync(entry, 0, entry.Length)|};
                            await stream.FlushAsync();
                        }
                        finally
                        {
                            Monitor.Exit(_gate);
                        }
                    }

                    public async Task RotateAsync(Stream stream)
                    {
                        _file.WaitOne();
                        try
                        {
                            {|#1:await stream.FlushAsync()|};
                        }
                        finally
                        {
                            _file.ReleaseMutex();
                        }
                    }
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source,
                Verify.Diagnostic("CONC034").WithLocation(0)
                    .WithMessage("'_gate' is held across this await, but a Monitor lock belongs to the thread that took it: the code after the await may run on another thread, where Monitor.Exit throws SynchronizationLockException and the lock stays held; use SemaphoreSlim.WaitAsync and Release"),
                Verify.Diagnostic("CONC034").WithLocation(1));
        }

        [Fact]
        public Task Reference_locks_a_mutable_SpinLock_a_ref_local_a_semaphore_across_await_and_awaits_after_release_are_not_reported()
        {
            const string source = """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Flusher
                {
                    private readonly object _gate = new object();
                    private readonly SemaphoreSlim _async = new SemaphoreSlim(1, 1);
                    private SpinLock _spin = new SpinLock(false);
                    private int _pending;

                    public async Task FlushAsync(Stream stream)
                    {
                        Monitor.Enter(_gate);
                        try { _pending = 0; }
                        finally { Monitor.Exit(_gate); }
                        await stream.FlushAsync();

                        await _async.WaitAsync();
                        try { await stream.FlushAsync(); }
                        finally { _async.Release(); }
                    }

                    public void Count()
                    {
                        ref var spin = ref _spin;
                        var taken = false;
                        try { spin.Enter(ref taken); _pending++; }
                        finally { if (taken) spin.Exit(); }
                        var fresh = new SpinLock(false);
                        Monitor.Enter(_gate);
                        Monitor.Exit(_gate);
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public Task Awaits_where_a_TryEnter_failed_or_after_the_release_in_finally_are_not_reported()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Journal
                {
                    private readonly object _gate = new object();

                    public async Task AppendAsync(Stream stream, byte[] entry)
                    {
                        if (!Monitor.TryEnter(_gate, TimeSpan.FromSeconds(1)))
                        {
                            await stream.FlushAsync();
                            return;
                        }

                        try
                        {
                            stream.Write(entry, 0, entry.Length);
                        }
                        finally
                        {
                            Monitor.Exit(_gate);
                            await stream.FlushAsync();
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
