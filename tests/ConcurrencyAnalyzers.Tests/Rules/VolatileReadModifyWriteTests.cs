using System.Threading.Tasks;
using Verify = ConcurrencyAnalyzers.Tests.Verifiers.CSharpCodeFixVerifier<
    ConcurrencyAnalyzers.Rules.VolatileReadModifyWriteAnalyzer,
    ConcurrencyAnalyzers.Rules.VolatileReadModifyWriteCodeFix>;

namespace ConcurrencyAnalyzers.Tests.Rules
{
    public class VolatileReadModifyWriteTests
    {
        [Fact]
        public Task Counting_requests_on_a_volatile_field_becomes_Interlocked()
        {
            const string source = """
                using System.Threading;

                public class RequestMeter
                {
                    private volatile int _inFlight;
                    private volatile int _served;

                    public void OnStart() => {|#0:_inFlight++|};

                    public void OnEnd(int batch)
                    {
                        [|_inFlight--|];
                        [|_served += batch|];
                    }

                    public int Next() => [|++_served|];

                    public void Reset(int by) => [|_served = _served - by|];
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class RequestMeter
                {
                    private volatile int _inFlight;
                    private volatile int _served;

                    public void OnStart() => Interlocked.Increment(ref _inFlight);

                    public void OnEnd(int batch)
                    {
                        Interlocked.Decrement(ref _inFlight);
                        Interlocked.Add(ref _served, batch);
                    }

                    public int Next() => Interlocked.Increment(ref _served);

                    public void Reset(int by) => Interlocked.Add(ref _served, -by);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource,
                Verify.Diagnostic("CONC005").WithLocation(0).WithArguments("_inFlight", "_inFlight++"));
        }

        [Fact]
        public Task A_postfix_value_that_is_used_keeps_its_old_value_semantics()
        {
            const string source = """
                public class TicketDispenser
                {
                    private volatile int _next;

                    public int Take() => [|_next++|];
                }
                """;
            const string fixedSource = """
                using System.Threading;

                public class TicketDispenser
                {
                    private volatile int _next;

                    public int Take() => (Interlocked.Increment(ref _next) - 1);
                }
                """;
            return Verify.VerifyCodeFixAsync(source, fixedSource);
        }

        [Fact]
        public Task A_volatile_float_has_no_Interlocked_add_and_gets_no_fix()
        {
            const string source = """
                public class Gauge
                {
                    private volatile float _level;

                    public void Raise() => [|_level += 0.5f|];
                }
                """;
            return Verify.VerifyNoCodeFixAsync(source);
        }

        [Fact]
        public Task Plain_reads_and_writes_of_volatile_fields_and_Interlocked_on_plain_fields_are_fine()
        {
            const string source = """
                using System.Threading;

                public class Flags
                {
                    private volatile bool _stopping;
                    private volatile int _generation;
                    private int _count;

                    public void Stop() => _stopping = true;

                    public bool IsStopping => _stopping;

                    public void NewGeneration(int value) => _generation = value + 1;

                    public void Count()
                    {
                        Interlocked.Increment(ref _count);
                        var local = _generation;
                        local++;
                    }

                    // Writers take a lock; the volatile field serves lock-free readers.
                    private readonly object _sync = new object();
                    public void Publish()
                    {
                        lock (_sync)
                        {
                            _generation++;
                        }
                    }
                }
                """;
            return Verify.VerifyAnalyzerAsync(source);
        }
    }
}
