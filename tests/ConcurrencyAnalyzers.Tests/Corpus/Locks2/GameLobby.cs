using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks2.GameLobby;

public interface ILobbyTransport
{
    Task SendAsync(string playerId, string message);
}

public interface ILobbyLogger
{
    void Info(string message);
    void Warn(string message);
}

public sealed record LobbyInfo(string Id, string Host, int Players, long? MatchId);

internal static class MatchIdAllocator
{
    private static readonly object AllocatorGate = new();
    private static readonly HashSet<long> Retired = new();
    private static long s_next = 1_000;

    public static int RetiredCount { get { lock (AllocatorGate) { return Retired.Count; } } }

    public static long Allocate()
    {
        lock (AllocatorGate)
        {
            s_next++;
            return s_next;
        }
    }

    public static void Retire(long matchId)
    {
        lock (AllocatorGate)
        {
            Retired.Add(matchId);
        }
    }
}

public sealed class LobbyService : IDisposable
{
    private readonly object _lobbiesSync = new();
    private readonly Dictionary<string, Lobby> _lobbies = new(StringComparer.Ordinal);
    private readonly List<Action<string, long>> _matchStartedHandlers = new();
    private readonly ILobbyTransport _transport;
    private readonly ILobbyLogger _log;
    private readonly Timer _sweepTimer;
    private readonly int _playersPerMatch;

    public LobbyService(ILobbyTransport transport, ILobbyLogger log, int playersPerMatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(playersPerMatch, 2);
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _playersPerMatch = playersPerMatch;
        _matchStartedHandlers.Add((lobbyId, matchId) => _log.Info($"Lobby {lobbyId} started match {matchId}."));
        _sweepTimer = new Timer(_ => SweepIdleLobbies(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    public void OnMatchStarted(Action<string, long> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lobbiesSync)
        {
            _matchStartedHandlers.Add(handler);
        }
    }

    public LobbyInfo Create(string lobbyId, string hostPlayer)
    {
        lock (_lobbiesSync)
        {
            if (_lobbies.ContainsKey(lobbyId))
            {
                throw new InvalidOperationException($"Lobby '{lobbyId}' already exists.");
            }

            _lobbies.Add(lobbyId, new Lobby(lobbyId, hostPlayer));
        }

        return new LobbyInfo(lobbyId, hostPlayer, 1, null);
    }

    // Lock order: _lobbiesSync before any individual lobby; a lobby before the match-id allocator.
    public IReadOnlyList<LobbyInfo> ListOpenLobbies()
    {
        lock (_lobbiesSync)
        {
            return _lobbies.Values
                .Select(lobby =>
                {
                    lock (lobby)
                    {
                        return new LobbyInfo(lobby.Id, lobby.Host, lobby.Players.Count, lobby.MatchId);
                    }
                })
                .Where(info => info.MatchId is null)
                .ToList();
        }
    }

    public void Join(string lobbyId, string playerId)
    {
        var lobby = Find(lobbyId) ?? throw new KeyNotFoundException($"Lobby '{lobbyId}' does not exist.");
        long? startedMatch = null;
        string[] roster;
        lock (lobby)
        {
            if (lobby.MatchId is not null)
            {
                throw new InvalidOperationException($"Lobby '{lobbyId}' is already in a match.");
            }

            if (!lobby.Players.Contains(playerId))
            {
                lobby.Players.Add(playerId);
            }

            lobby.LastActivity = DateTimeOffset.UtcNow;
            if (lobby.Players.Count >= _playersPerMatch)
            {
                lobby.MatchId = MatchIdAllocator.Allocate();
                startedMatch = lobby.MatchId;
            }

            roster = lobby.Players.ToArray();
        }

        if (startedMatch is long matchId)
        {
            AnnounceMatch(lobbyId, matchId, roster);
        }
    }

    public void Leave(string lobbyId, string playerId)
    {
        var lobby = Find(lobbyId);
        if (lobby is null)
        {
            return;
        }

        bool empty;
        lock (lobby)
        {
            lobby.Players.Remove(playerId);
            lobby.LastActivity = DateTimeOffset.UtcNow;
            empty = lobby.Players.Count == 0;
        }

        if (empty)
        {
            RemoveLobby(lobbyId);
        }
    }

    public void Dispose() => _sweepTimer.Dispose();

    private void AnnounceMatch(string lobbyId, long matchId, IReadOnlyList<string> roster)
    {
        Action<string, long>[] handlers;
        lock (_lobbiesSync)
        {
            handlers = _matchStartedHandlers.ToArray();

            // Sends go to the thread pool so one slow client cannot stall the lobby.
            foreach (var player in roster)
            {
                _ = Task.Run(() => _transport.SendAsync(player, $"match-start:{matchId}"))
                    .ContinueWith(
                        t => _log.Warn($"Could not notify {player}: {t.Exception?.GetBaseException().Message}"),
                        TaskContinuationOptions.OnlyOnFaulted);
            }
        }

        foreach (var handler in handlers)
        {
            handler(lobbyId, matchId);
        }
    }

    private void SweepIdleLobbies()
    {
        Lobby[] snapshot;
        lock (_lobbiesSync)
        {
            snapshot = _lobbies.Values.ToArray();
        }

        var cutoff = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10);
        foreach (var lobby in snapshot)
        {
            bool idle;
            long? finishedMatch;
            lock (lobby)
            {
                idle = lobby.LastActivity < cutoff;
                finishedMatch = lobby.MatchId;
            }

            if (!idle)
            {
                continue;
            }

            RemoveLobby(lobby.Id);
            if (finishedMatch is long id)
            {
                MatchIdAllocator.Retire(id);
            }

            _log.Info($"Removed idle lobby {lobby.Id}; {MatchIdAllocator.RetiredCount} match id(s) retired so far.");
        }
    }

    private Lobby? Find(string lobbyId)
    {
        lock (_lobbiesSync)
        {
            return _lobbies.TryGetValue(lobbyId, out var lobby) ? lobby : null;
        }
    }

    private void RemoveLobby(string lobbyId)
    {
        lock (_lobbiesSync)
        {
            _lobbies.Remove(lobbyId);
        }
    }

    // Mutable members are only touched while holding the lobby instance's monitor.
    private sealed class Lobby(string id, string host)
    {
        public string Id { get; } = id;
        public string Host { get; } = host;
        public List<string> Players { get; } = new() { host };
        public DateTimeOffset LastActivity { get; set; } = DateTimeOffset.UtcNow;
        public long? MatchId { get; set; }
    }
}
