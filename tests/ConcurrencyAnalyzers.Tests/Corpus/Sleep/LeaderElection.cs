using System;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Coordination;

public sealed class LeaseChangedEventArgs : EventArgs
{
    public LeaseChangedEventArgs(string? holderId, long term)
    {
        HolderId = holderId;
        Term = term;
    }

    public string? HolderId { get; }

    public long Term { get; }
}

public interface ILeaseStore
{
    event EventHandler<LeaseChangedEventArgs>? LeaseChanged;

    void RequestLease(string nodeId, TimeSpan ttl);

    void Release(string nodeId);
}

public sealed class LeaderElector : IDisposable
{
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(15);

    private readonly ILeaseStore _store;
    private readonly string _nodeId;
    private volatile bool _isLeader;
    private volatile string? _currentHolder;
    private long _term;
    private TaskCompletionSource _becameLeader = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LeaderElector(ILeaseStore store, string nodeId)
    {
        _store = store;
        _nodeId = nodeId;
        _store.LeaseChanged += OnLeaseChanged;
    }

    public bool IsLeader => _isLeader;

    public void BlockUntilLeader()
    {
        _store.RequestLease(_nodeId, LeaseTtl);
        while (!_isLeader) // expect: CONC022
        {
            Thread.Sleep(100);
        }
    }

    public Task WaitForLeadershipAsync(CancellationToken token)
    {
        _store.RequestLease(_nodeId, LeaseTtl);
        return Volatile.Read(ref _becameLeader).Task.WaitAsync(token);
    }

    public long WaitForNextTerm()
    {
        var seen = Interlocked.Read(ref _term);
        do // expect: CONC022
        {
            Thread.Sleep(50);
        }
        while (_term == seen);

        return _term;
    }

    public string WaitForAnyHolder(TimeSpan timeout)
    {
        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(50);
        while (true) // expect: CONC022
        {
            if (_currentHolder is not null)
            {
                break;
            }

            if (waited >= timeout)
            {
                throw new TimeoutException($"No leader elected within {timeout}.");
            }

            Thread.Sleep(step);
            waited += step;
        }

        return _currentHolder ?? "<unknown>";
    }

    // Renews the lease while we hold it: real work on every iteration.
    public void RenewWhileLeader(CancellationToken token)
    {
        while (_isLeader && !token.IsCancellationRequested)
        {
            _store.RequestLease(_nodeId, LeaseTtl);
            Thread.Sleep(LeaseTtl / 3);
        }
    }

    private void OnLeaseChanged(object? sender, LeaseChangedEventArgs e)
    {
        _currentHolder = e.HolderId;
        Interlocked.Exchange(ref _term, e.Term);

        var wasLeader = _isLeader;
        _isLeader = e.HolderId == _nodeId;

        if (_isLeader && !wasLeader)
        {
            Volatile.Read(ref _becameLeader).TrySetResult();
        }
        else if (!_isLeader && wasLeader)
        {
            Interlocked.Exchange(ref _becameLeader, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    public void Dispose()
    {
        _store.LeaseChanged -= OnLeaseChanged;
        if (_isLeader)
        {
            _store.Release(_nodeId);
        }
    }
}
