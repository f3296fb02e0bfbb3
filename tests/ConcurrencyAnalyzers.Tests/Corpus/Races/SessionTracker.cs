using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Races.Sessions
{
    public sealed record SessionEvent(string SessionId, string UserId, DateTime AtUtc, string Kind);

    /// <summary>
    /// Rebuilds the live-session view by replaying the session event log after a restart.
    /// </summary>
    public sealed class SessionTracker
    {
        private readonly object _clockLock = new();
        private readonly List<string> _auditTrail = new();
        private readonly Queue<SessionEvent> _expired = new();
        private readonly ConcurrentDictionary<string, DateTime> _lastSeen = new(StringComparer.Ordinal);
        private int _activeSessions;
        private int _eventsProcessed;
        private DateTime _newestEventUtc;

        public int ActiveSessions => Volatile.Read(ref _activeSessions);

        public int EventsProcessed => Volatile.Read(ref _eventsProcessed);

        public DateTime NewestEventUtc
        {
            get { lock (_clockLock) { return _newestEventUtc; } }
        }

        public IReadOnlyList<string> AuditTrail => _auditTrail;

        public void Replay(IReadOnlyList<SessionEvent> events)
        {
            Parallel.ForEach(events, evt =>
            {
                if (!IsRelevant(evt)) return;

                switch (evt.Kind)
                {
                    case "login":
                        OnLogin(evt);                       // expect: CONC001
                        break;
                    case "logout":
                        OnLogout(evt);                      // expect: CONC001
                        break;
                    case "timeout":
                        Expire(evt);                        // expect: CONC002
                        break;
                }

                CountEvent();
                NoteNewest(evt);
                Audit(evt);                                 // expect: CONC002
            });

            Audit(new SessionEvent("-", "system", DateTime.UtcNow, "replay-complete"));
        }

        public IReadOnlyList<SessionEvent> DrainExpired()
        {
            var drained = new List<SessionEvent>();
            while (_expired.Count > 0)
            {
                drained.Add(_expired.Dequeue());
            }
            return drained;
        }

        // Used by the integration tests between scenarios.
        public void ResetClock()
        {
            _newestEventUtc = DateTime.MinValue;            // expect: CONC003
        }

        private bool IsRelevant(SessionEvent evt)
        {
            return !string.IsNullOrEmpty(evt.SessionId) && evt.AtUtc > DateTime.UtcNow.AddDays(-30);
        }

        private void OnLogin(SessionEvent evt)
        {
            _lastSeen[evt.SessionId] = evt.AtUtc;
            _activeSessions++;
        }

        private void OnLogout(SessionEvent evt)
        {
            _lastSeen.TryRemove(evt.SessionId, out _);
            _activeSessions--;
        }

        private void Expire(SessionEvent evt)
        {
            _lastSeen.TryRemove(evt.SessionId, out _);
            _expired.Enqueue(evt);
        }

        private void CountEvent() => Interlocked.Increment(ref _eventsProcessed);

        private void NoteNewest(SessionEvent evt)
        {
            lock (_clockLock)
            {
                if (evt.AtUtc > _newestEventUtc)
                {
                    _newestEventUtc = evt.AtUtc;
                }
            }
        }

        private void Audit(SessionEvent evt)
        {
            _auditTrail.Add($"{evt.AtUtc:o} {evt.UserId} {evt.Kind}");
        }

        public IReadOnlyList<string> StaleSessions(TimeSpan idle)
        {
            var cutoff = DateTime.UtcNow - idle;
            return _lastSeen.Where(p => p.Value < cutoff).Select(p => p.Key).ToList();
        }
    }
}
