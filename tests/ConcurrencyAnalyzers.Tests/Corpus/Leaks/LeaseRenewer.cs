using System;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks.LeaseRenewer;

public interface ILeaseStore
{
    Task<bool> TryAcquireAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken);
    Task<bool> RenewAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken);
    Task ReleaseAsync(string resource, string owner, CancellationToken cancellationToken = default);
}

/// <summary>
/// A held distributed lease. Renews itself in the background until disposed;
/// <see cref="LeaseLost"/> fires if a renewal fails, so the holder can stop its work.
/// </summary>
public sealed class LeaseHandle : IAsyncDisposable
{
    private readonly ILeaseStore _store;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private readonly Task _renewal;

    internal LeaseHandle(ILeaseStore store, string resource, string owner, TimeSpan ttl)
    {
        _store = store;
        Resource = resource;
        Owner = owner;
        Ttl = ttl;
        _renewal = RenewLoopAsync(_stopRenewing.Token);
    }

    public string Resource { get; }

    public string Owner { get; }

    public TimeSpan Ttl { get; }

    public CancellationToken LeaseLost => _lost.Token;

    private async Task RenewLoopAsync(CancellationToken stopToken)
    {
        var interval = Ttl / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, stopToken);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
                attempt.CancelAfter(interval);
                if (!await _store.RenewAsync(Resource, Owner, Ttl, attempt.Token))
                {
                    _lost.Cancel();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            // disposed by the holder
        }
        catch (Exception)
        {
            // could not renew in time; assume another node may take the lease over
            _lost.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopRenewing.Cancel();
        try
        {
            await _renewal;
        }
        finally
        {
            // Best effort: the TTL expires the lease anyway if this fails.
            await _store.ReleaseAsync(Resource, Owner);
            _stopRenewing.Dispose();
            _lost.Dispose();
        }
    }
}

public sealed class LeaseManager
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly ILeaseStore _store;
    private readonly string _owner;

    public LeaseManager(ILeaseStore store, string owner)
    {
        _store = store;
        _owner = owner;
    }

    public async Task<LeaseHandle> AcquireAsync(string resource, TimeSpan ttl, CancellationToken cancellationToken)
    {
        while (!await _store.TryAcquireAsync(resource, _owner, ttl, cancellationToken))
        {
            await Task.Delay(RetryDelay, cancellationToken);
        }

        return new LeaseHandle(_store, resource, _owner, ttl);
    }

    // Used by the scheduler: skip this run if the lease cannot be had quickly.
    public async Task<LeaseHandle?> TryAcquireAsync(string resource, TimeSpan ttl, TimeSpan waitTimeout, CancellationToken cancellationToken)
    {
        var acquire = AcquireAsync(resource, ttl, cancellationToken);
        var timeout = Task.Delay(waitTimeout, cancellationToken);
        if (await Task.WhenAny(acquire, timeout) == timeout) // expect: CONC014
        {
            return null;
        }

        return await acquire;
    }

    public async Task<LeaseHandle?> TryAcquireWithinAsync(string resource, TimeSpan ttl, TimeSpan waitTimeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var acquire = AcquireAsync(resource, ttl, cts.Token);
        var winner = await Task.WhenAny(acquire, Task.Delay(waitTimeout, cts.Token));
        cts.Cancel();
        try
        {
            var lease = await acquire;
            if (winner == acquire)
            {
                return lease;
            }

            // acquired just as we gave up: hand it straight back
            await lease.DisposeAsync();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // gave up waiting
        }

        return null;
    }

    // Holds the lease only for the lifetime of an HTTP request.
    public async Task<LeaseHandle> AcquireForRequestAsync(string resource, TimeSpan ttl, CancellationToken requestAborted)
    {
        var lease = await AcquireAsync(resource, ttl, requestAborted);
        requestAborted.Register(async () => await lease.DisposeAsync()); // expect: CONC010
        return lease;
    }

    public async Task<bool> TryExtendAsync(LeaseHandle lease, TimeSpan extra)
    {
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using (cts)
        {
            return await _store.RenewAsync(lease.Resource, lease.Owner, lease.Ttl + extra, cts.Token);
        }
    }

    public async Task ReleaseQuietlyAsync(string resource, TimeSpan timeout)
    {
        var cts = new CancellationTokenSource(timeout);
        try
        {
            await _store.ReleaseAsync(resource, _owner, cts.Token);
        }
        catch (OperationCanceledException)
        {
            // the lease will expire on its own
        }
        finally
        {
            cts.Dispose();
        }
    }

    // A token that fires when the caller gives up or the lease is lost, whichever comes first.
    public static CancellationToken CombineWithLease(LeaseHandle lease, CancellationToken cancellationToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(lease.LeaseLost, cancellationToken); // expect: CONC013
        return linked.Token;
    }
}
