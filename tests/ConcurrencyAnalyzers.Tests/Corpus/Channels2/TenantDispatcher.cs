using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Tenancy;

public sealed record TenantJob(string Kind, string Payload, DateTimeOffset EnqueuedAt);

public interface IJobHandler
{
    Task HandleAsync(string tenantId, TenantJob job, CancellationToken cancellationToken);

    void ReportFailure(string tenantId, TenantJob job, Exception exception);
}

internal sealed record TenantQueue(Channel<TenantJob> Jobs, Task Consumer);

public sealed class TenantDispatcher : IAsyncDisposable
{
    private readonly Dictionary<string, TenantQueue> _queues = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly IJobHandler _handler;
    private readonly int _perTenantCapacity;
    private readonly CancellationTokenSource _stopping = new();
    private bool _closed;

    public TenantDispatcher(IJobHandler handler, int perTenantCapacity = 500)
    {
        _handler = handler;
        _perTenantCapacity = perTenantCapacity;
    }

    public int TenantCount
    {
        get
        {
            lock (_gate)
            {
                return _queues.Count;
            }
        }
    }

    public bool TryDispatch(string tenantId, TenantJob job)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (!_queues.TryGetValue(tenantId, out var queue))
            {
                queue = StartQueue(tenantId);
                _queues.Add(tenantId, queue);
            }

            return queue.Jobs.Writer.TryWrite(job);
        }
    }

    public async Task RemoveTenantAsync(string tenantId)
    {
        TenantQueue? queue;
        lock (_gate)
        {
            if (!_queues.Remove(tenantId, out queue))
            {
                return;
            }

            queue.Jobs.Writer.TryComplete();
        }

        await queue.Consumer;
    }

    public async ValueTask DisposeAsync()
    {
        TenantQueue[] queues;
        lock (_gate)
        {
            _closed = true;
            queues = _queues.Values.ToArray();
            _queues.Clear();
        }

        foreach (var queue in queues)
        {
            queue.Jobs.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(queues.Select(q => q.Consumer)).WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            _stopping.Cancel();
        }
    }

    private TenantQueue StartQueue(string tenantId)
    {
        var jobs = Channel.CreateBounded<TenantJob>(new BoundedChannelOptions(_perTenantCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var consumer = Task.Run(() => ConsumeAsync(tenantId, jobs.Reader));
        return new TenantQueue(jobs, consumer);
    }

    private async Task ConsumeAsync(string tenantId, ChannelReader<TenantJob> reader)
    {
        await foreach (var job in reader.ReadAllAsync())
        {
            try
            {
                await _handler.HandleAsync(tenantId, job, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _handler.ReportFailure(tenantId, job, ex);
            }
        }
    }
}
