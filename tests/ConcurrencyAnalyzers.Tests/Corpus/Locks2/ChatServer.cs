using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace Corpus.Locks2.ChatServer;

public interface IChatTransport
{
    void Send(string connectionId, string payload);
}

public interface IChatLogger
{
    void Info(string message);

    void Warn(string message);
}

public sealed class ChatUser
{
    public ChatUser(string name, string connectionId)
    {
        Name = name;
        ConnectionId = connectionId;
    }

    public string Name { get; }

    public string ConnectionId { get; }

    public HashSet<string> Rooms { get; } = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset LastDelivery { get; set; }
}

public sealed class ChatServer
{
    private readonly object _usersSync = new();
    private readonly Dictionary<string, ChatUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ChatRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly IChatTransport _transport;
    private readonly IChatLogger _log;

    public ChatServer(IChatTransport transport, IChatLogger log)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public void Connect(string name, string connectionId)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A user name is required.", nameof(name));
        }

        lock (_usersSync)
        {
            if (_users.ContainsKey(name))
            {
                throw new InvalidOperationException($"User '{name}' is already connected.");
            }

            _users.Add(name, new ChatUser(name, connectionId));
        }

        _log.Info($"{name} connected on {connectionId}.");
    }

    public ChatRoom Join(string userName, string roomName)
    {
        var room = _rooms.GetOrAdd(roomName, name => new ChatRoom(name, this));
        lock (_usersSync)
        {
            if (!_users.TryGetValue(userName, out var user))
            {
                throw new InvalidOperationException($"User '{userName}' is not connected.");
            }

            user.Rooms.Add(room.Name);
        }

        room.AddMember(userName);
        return room;
    }

    public void Disconnect(string userName)
    {
        lock (_usersSync)
        {
            if (!_users.Remove(userName, out var user))
            {
                return;
            }

            foreach (var roomName in user.Rooms)
            {
                if (_rooms.TryGetValue(roomName, out var room))
                {
                    room.RemoveMember(userName); // expect: CONC030
                }
            }
        }

        _log.Info($"{userName} disconnected.");
    }

    internal void Deliver(string userName, string line)
    {
        string connectionId;
        lock (_usersSync)
        {
            if (!_users.TryGetValue(userName, out var user))
            {
                _log.Warn($"Dropping message for offline user {userName}.");
                return;
            }

            user.LastDelivery = DateTimeOffset.UtcNow;
            connectionId = user.ConnectionId;
        }

        _transport.Send(connectionId, line);
    }
}

public sealed class ChatRoom
{
    private const int MaxHistory = 200;

    private readonly object _membersSync = new();
    private readonly List<string> _members = new();
    private readonly List<string> _history = new();
    private readonly Queue<Action> _announcements = new();
    private readonly ChatServer _server;
    private string _topic = string.Empty;

    internal ChatRoom(string name, ChatServer server)
    {
        Name = name;
        _server = server;
    }

    public string Name { get; }

    public string Topic
    {
        get
        {
            lock (_membersSync)
            {
                return _topic;
            }
        }
    }

    public void AddMember(string userName)
    {
        lock (_membersSync)
        {
            if (!_members.Contains(userName))
            {
                _members.Add(userName);
            }
        }
    }

    public void RemoveMember(string userName)
    {
        lock (_membersSync)
        {
            _members.Remove(userName);
        }
    }

    public int Post(string author, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("Message text is required.", nameof(text));
        }

        var line = $"[{Name}] {author}: {text.Trim()}";
        lock (_membersSync)
        {
            if (!_members.Contains(author))
            {
                throw new InvalidOperationException($"{author} is not a member of {Name}.");
            }

            _history.Add(line);
            if (_history.Count > MaxHistory)
            {
                _history.RemoveAt(0);
            }

            _members.ForEach(member => _server.Deliver(member, line)); // expect: CONC030
            return _members.Count;
        }
    }

    public void ChangeTopic(string author, string topic)
    {
        lock (_membersSync)
        {
            _topic = topic;
            var recipients = _members.ToArray();

            // Announcements are flushed by the connection loop, outside the room lock.
            _announcements.Enqueue(() =>
            {
                foreach (var recipient in recipients)
                {
                    _server.Deliver(recipient, $"[{Name}] {author} changed the topic to '{topic}'.");
                }
            });
        }
    }

    public int FlushAnnouncements()
    {
        Action[] pending;
        lock (_membersSync)
        {
            pending = _announcements.ToArray();
            _announcements.Clear();
        }

        foreach (var announce in pending)
        {
            announce();
        }

        return pending.Length;
    }

    public IReadOnlyList<string> RecentHistory(int count)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        lock (_membersSync)
        {
            var skip = Math.Max(0, _history.Count - count);
            return _history.GetRange(skip, _history.Count - skip);
        }
    }
}
