using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Init2.ConnectionPoolRegistry;

public readonly record struct NodeEndpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>A small pool of raw TCP connections to one cache node.</summary>
public sealed class NodePool : IDisposable
{
    private readonly ConcurrentBag<TcpClient> _idle = new();
    private readonly NodeEndpoint _endpoint;
    private readonly int _maxIdle;
    private int _disposed;

    public NodePool(NodeEndpoint endpoint, int maxIdle)
    {
        _endpoint = endpoint;
        _maxIdle = maxIdle;
    }

    public int IdleCount => _idle.Count;

    public void Warmup(int connections)
    {
        for (var i = 0; i < connections; i++)
            _idle.Add(Open());
    }

    public TcpClient Rent()
    {
        if (_idle.TryTake(out var client) && client.Connected)
            return client;
        client?.Dispose();
        return Open();
    }

    public void Return(TcpClient client)
    {
        if (Volatile.Read(ref _disposed) == 0 && client.Connected && _idle.Count < _maxIdle) // expect: CONC052
            _idle.Add(client);
        else
            client.Dispose();
    }

    // Called by the maintenance timer: close idle sockets above the floor.
    public void Trim(int keep)
    {
        while (_idle.Count > keep && _idle.TryTake(out var extra))
            extra.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        while (_idle.TryTake(out var client))
            client.Dispose();
    }

    private TcpClient Open()
    {
        var client = new TcpClient { NoDelay = true };
        client.Connect(_endpoint.Host, _endpoint.Port);
        return client;
    }
}

public sealed class NodePoolRegistry : IDisposable
{
    private static NodePoolRegistry? s_shared;

    private readonly ConcurrentDictionary<NodeEndpoint, NodePool> _pools = new();
    private readonly int _maxIdlePerNode;
    private readonly Timer _maintenance;

    public NodePoolRegistry(int maxIdlePerNode)
    {
        _maxIdlePerNode = maxIdlePerNode;
        _maintenance = new Timer(_ => TrimAll(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    public static NodePoolRegistry Shared => s_shared ??= new NodePoolRegistry(maxIdlePerNode: 8); // expect: CONC050

    public NodePool For(NodeEndpoint endpoint) =>
        _pools.GetOrAdd(endpoint,
            ep => CreateWarmPool(ep)); // expect: CONC053

    public void Evict(NodeEndpoint endpoint)
    {
        if (_pools.TryRemove(endpoint, out var pool))
            pool.Dispose();
    }

    private NodePool CreateWarmPool(NodeEndpoint endpoint)
    {
        // Open a couple of sockets up front so the first requests don't pay the handshake.
        var pool = new NodePool(endpoint, _maxIdlePerNode);
        pool.Warmup(connections: 2);
        return pool;
    }

    private void TrimAll()
    {
        foreach (var pool in _pools.Values)
            pool.Trim(keep: 1);
    }

    public void Dispose()
    {
        _maintenance.Dispose();
        foreach (var endpoint in _pools.Keys)
            Evict(endpoint);
    }
}

public static class ReplicaHealthCheck
{
    // Touches every replica in parallel and reports how many handed out a live connection.
    public static async Task<int> CountLiveReplicasAsync(NodePoolRegistry registry, IReadOnlyList<NodeEndpoint> replicas)
    {
        var probes = replicas.Select(ep => Task.Run(() =>
        {
            var pool = registry.For(ep);
            var client = pool.Rent();
            try
            {
                return client.Connected ? 1 : 0;
            }
            finally
            {
                pool.Return(client);
            }
        }));
        var results = await Task.WhenAll(probes).ConfigureAwait(false);
        return results.Sum();
    }
}
