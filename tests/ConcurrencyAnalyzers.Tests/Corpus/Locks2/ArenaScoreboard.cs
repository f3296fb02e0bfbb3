using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks2.ArenaScoreboard;

public interface IScorePublisher
{
    Task PublishAsync(IReadOnlyList<PlayerScore> standings, CancellationToken cancellationToken);
}

public interface IGameLogger
{
    void Info(string message);
}

public sealed record PlayerScore(string PlayerId, int Kills, int Deaths, long Points);

public readonly struct ArenaBounds
{
    public ArenaBounds(int width, int height)
    {
        Width = width;
        Height = height;
    }

    public int Width { get; }

    public int Height { get; }
}

public abstract class GameModeBase
{
    private static int s_maxPlayers = 16;

    protected readonly object RoundSync = new();
    private int _round;

    protected GameModeBase(string name)
    {
        Name = name;
    }

    public static int MaxPlayers => Volatile.Read(ref s_maxPlayers);

    public string Name { get; }

    public static void ConfigureMaxPlayers(int maxPlayers)
    {
        if (maxPlayers is < 2 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPlayers));
        }

        lock ("arena-config") // expect: CONC031
        {
            s_maxPlayers = maxPlayers;
        }
    }

    public int AdvanceRound()
    {
        lock (RoundSync) // expect: CONC031
        {
            _round++;
            return _round;
        }
    }
}

public sealed class ArenaScoreboard : GameModeBase
{
    private readonly SpinLock _killFeedLock = new(enableThreadOwnerTracking: false); // expect: CONC034
    private SpinLock _pointsLock = new(enableThreadOwnerTracking: false);
    private readonly Dictionary<string, PlayerScore> _scores = new(StringComparer.Ordinal);
    private readonly Queue<string> _killFeed = new();
    private readonly object _publishSync = new();
    private readonly IScorePublisher _publisher;
    private readonly IGameLogger _log;
    private ArenaBounds _bounds;
    private int _respawnWave;
    private DateTimeOffset _roundEndedAt;

    public ArenaScoreboard(string name, IScorePublisher publisher, IGameLogger log, ArenaBounds bounds)
        : base(name)
    {
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _bounds = bounds;
    }

    public DateTimeOffset RoundEndedAt => _roundEndedAt;

    public void RecordKill(string killer, string victim)
    {
        var taken = false;
        try
        {
            _pointsLock.Enter(ref taken);
            var k = _scores.TryGetValue(killer, out var ks) ? ks : new PlayerScore(killer, 0, 0, 0);
            var v = _scores.TryGetValue(victim, out var vs) ? vs : new PlayerScore(victim, 0, 0, 0);
            _scores[killer] = k with { Kills = k.Kills + 1, Points = k.Points + 100 };
            _scores[victim] = v with { Deaths = v.Deaths + 1 };
        }
        finally
        {
            if (taken)
            {
                _pointsLock.Exit(useMemoryBarrier: false);
            }
        }

        var feedTaken = false;
        try
        {
            _killFeedLock.Enter(ref feedTaken);
            _killFeed.Enqueue($"{killer} eliminated {victim}");
            if (_killFeed.Count > 20)
            {
                _killFeed.Dequeue();
            }
        }
        finally
        {
            if (feedTaken)
            {
                _killFeedLock.Exit();
            }
        }
    }

    public IReadOnlyList<PlayerScore> Standings()
    {
        var spin = _pointsLock; // expect: CONC034
        var taken = false;
        try
        {
            spin.Enter(ref taken);
            return _scores.Values
                .OrderByDescending(s => s.Points)
                .ThenBy(s => s.Deaths)
                .ToList();
        }
        finally
        {
            if (taken)
            {
                spin.Exit();
            }
        }
    }

    public int ScheduleRespawnWave()
    {
        Monitor.Enter(_respawnWave); // expect: CONC034
        try
        {
            _respawnWave++;
            _log.Info($"Respawn wave {_respawnWave} scheduled in {Name}.");
            return _respawnWave;
        }
        finally
        {
            Monitor.Exit(_respawnWave);
        }
    }

    public bool TryResize(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), "Arena dimensions must be positive.");
        }

        if (!Monitor.TryEnter(_bounds, TimeSpan.FromMilliseconds(5))) // expect: CONC034
        {
            return false;
        }

        try
        {
            _bounds = new ArenaBounds(width, height);
            return true;
        }
        finally
        {
            Monitor.Exit(_bounds);
        }
    }

    public bool IsInside(int x, int y)
    {
        var bounds = _bounds;
        return x >= 0 && y >= 0 && x < bounds.Width && y < bounds.Height;
    }

    public void EndRound()
    {
        lock (RoundSync) // expect: CONC031
        {
            _roundEndedAt = DateTimeOffset.UtcNow;
        }

        _log.Info($"Round ended in {Name}.");
    }

    public async Task PublishStandingsAsync(CancellationToken cancellationToken)
    {
        var standings = Standings();
        Monitor.Enter(_publishSync);
        try
        {
            await _publisher.PublishAsync(standings, cancellationToken); // expect: CONC034
            _log.Info($"Published {standings.Count} standings for {Name}.");
        }
        finally
        {
            Monitor.Exit(_publishSync);
        }
    }
}
