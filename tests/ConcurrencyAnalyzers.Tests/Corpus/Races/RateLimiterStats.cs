using System;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Throttling
{
    public enum LimiterState
    {
        Open,
        Throttling,
        Disabled,
    }

    /// <summary>
    /// Token bucket guarding the partner API. Statistics fields were made volatile so the
    /// dashboard "always sees fresh numbers".
    /// </summary>
    public sealed class TokenBucketLimiter
    {
        private readonly int _capacity;
        private readonly int _refillPerSecond;
        private volatile int _rejected;
        private volatile int _windowRequests;
        private volatile int _consecutiveRejections;
        private volatile bool _enabled = true;
        private volatile LimiterState _state = LimiterState.Open;
        private int _tokens;
        private int _granted;
        private long _lastRefillTicks;

        public TokenBucketLimiter(int capacity, int refillPerSecond)
        {
            _capacity = capacity;
            _refillPerSecond = refillPerSecond;
            _tokens = capacity;
            _lastRefillTicks = DateTime.UtcNow.Ticks;
        }

        public int Rejected => _rejected;
        public int WindowRequests => _windowRequests;
        public int ConsecutiveRejections => _consecutiveRejections;
        public int Granted => Volatile.Read(ref _granted);
        public LimiterState State => _state;

        public bool TryAcquire(int cost = 1)
        {
            if (!_enabled)
            {
                Interlocked.Increment(ref _granted);
                return true;
            }

            Refill();
            _windowRequests++;                                          // expect: CONC005
            while (true)
            {
                int available = Volatile.Read(ref _tokens);
                if (available < cost)
                {
                    _rejected += 1;                                     // expect: CONC005
                    _consecutiveRejections = _consecutiveRejections + 1; // expect: CONC005
                    _state = LimiterState.Throttling;
                    return false;
                }

                if (Interlocked.CompareExchange(ref _tokens, available - cost, available) == available)
                {
                    break;
                }
            }

            _consecutiveRejections = 0;
            _state = LimiterState.Open;
            Interlocked.Increment(ref _granted);
            return true;
        }

        private void Refill()
        {
            long now = DateTime.UtcNow.Ticks;
            long last = Interlocked.Read(ref _lastRefillTicks);
            long elapsedMs = (now - last) / TimeSpan.TicksPerMillisecond;
            if (elapsedMs < 100 || Interlocked.CompareExchange(ref _lastRefillTicks, now, last) != last)
            {
                return;
            }

            int add = (int)Math.Min(int.MaxValue, elapsedMs * _refillPerSecond / 1000);
            int current;
            int next;
            do
            {
                current = Volatile.Read(ref _tokens);
                next = (int)Math.Min(_capacity, (long)current + add);
            }
            while (Interlocked.CompareExchange(ref _tokens, next, current) != current);
        }

        public void ResetWindow() => _windowRequests = 0;

        public void Disable()
        {
            _enabled = false;
            _state = LimiterState.Disabled;
        }

        public void Enable()
        {
            _enabled = true;
            _state = LimiterState.Open;
        }
    }

    /// <summary>Load probe used by the capacity-planning CLI.</summary>
    public sealed class LimiterProbe
    {
        private volatile int _attempts;
        private int _successes;

        public int Attempts => _attempts;

        public int Run(Func<bool> attempt, int requests)
        {
            _attempts = 0;
            Parallel.For(0, requests, _ =>
            {
                _attempts++;                                            // expect: CONC005
                if (attempt())
                {
                    Interlocked.Increment(ref _successes);
                }
            });
            return Volatile.Read(ref _successes);
        }
    }
}
