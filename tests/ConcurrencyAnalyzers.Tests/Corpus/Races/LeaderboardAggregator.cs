using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Corpus.Races.Games
{
    public sealed record PlayerScore(string Player, int Points, bool Won);

    public sealed record MatchResult(string MatchId, IReadOnlyList<PlayerScore> Scores);

    public sealed record LeaderboardRow(string Player, int Points, int Wins);

    /// <summary>Original aggregator, still enabled for the "classic" ladder.</summary>
    public sealed class LegacyLeaderboard
    {
        private readonly Dictionary<string, int> _points = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _wins = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _seenMatches = new();

        public void Ingest(IEnumerable<MatchResult> matches)
        {
            Parallel.ForEach(matches, match =>
            {
                if (!_seenMatches.Add(match.MatchId)) return;                                   // expect: CONC002

                foreach (var score in match.Scores)
                {
                    _points[score.Player] = _points.GetValueOrDefault(score.Player) + score.Points;  // expect: CONC002
                    if (score.Won)
                    {
                        _wins[score.Player] = _wins.GetValueOrDefault(score.Player) + 1;        // expect: CONC002
                    }
                }
            });
        }

        public IReadOnlyList<LeaderboardRow> Top(int count)
        {
            return _points
                .OrderByDescending(p => p.Value)
                .Take(count)
                .Select(p => new LeaderboardRow(p.Key, p.Value, _wins.GetValueOrDefault(p.Key)))
                .ToList();
        }
    }

    /// <summary>Replacement aggregator: per-match partial sums merged under a lock.</summary>
    public sealed class Leaderboard
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, int> _points = new(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, int> _wins = new(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, byte> _seenMatches = new();

        public void Ingest(IEnumerable<MatchResult> matches)
        {
            Parallel.ForEach(matches, match =>
            {
                if (!_seenMatches.TryAdd(match.MatchId, 0)) return;

                var partial = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                foreach (var score in match.Scores)
                {
                    partial[score.Player] = partial.GetValueOrDefault(score.Player) + score.Points;
                    if (score.Won)
                    {
                        _wins.AddOrUpdate(score.Player, 1, (_, w) => w + 1);
                    }
                }

                lock (_gate)
                {
                    foreach (var pair in partial)
                    {
                        _points[pair.Key] = _points.GetValueOrDefault(pair.Key) + pair.Value;
                    }
                }
            });
        }

        public IReadOnlyList<LeaderboardRow> Top(int count)
        {
            lock (_gate)
            {
                return _points
                    .OrderByDescending(p => p.Value)
                    .Take(count)
                    .Select(p => new LeaderboardRow(p.Key, p.Value, _wins.GetValueOrDefault(p.Key)))
                    .ToList();
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _points.Clear();
            }
            _wins.Clear();
            _seenMatches.Clear();
        }
    }
}
