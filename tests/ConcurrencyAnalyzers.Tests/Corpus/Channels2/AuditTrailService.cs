using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.AuditTrail;

public interface IHostedService
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

public interface IAuditStore
{
    Task AppendAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken);
}

public interface IAuditLog
{
    void Warn(string message);

    void Error(Exception exception, string message);
}

public sealed record AuditEvent(string Actor, string Action, string? Target, DateTimeOffset At);

public sealed class AuditTrailService : IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 200;

    private readonly Channel<AuditEvent> _events;
    private readonly IAuditStore _store;
    private readonly IAuditLog _log;
    private readonly CancellationTokenSource _shutdown = new();
    private Task? _consumer;
    private long _dropped;
    private long _persisted;

    public AuditTrailService(IAuditStore store, IAuditLog log)
    {
        _store = store;
        _log = log;
        _events = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(10_000)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        _events.Writer.TryWrite(new AuditEvent("system", "audit-trail-started", null, DateTimeOffset.UtcNow));
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Persisted => Interlocked.Read(ref _persisted);

    public void Publish(string actor, string action, string? target = null)
    {
        var auditEvent = new AuditEvent(actor, action, target, DateTimeOffset.UtcNow);
        if (!_events.Writer.TryWrite(auditEvent))
        {
            Interlocked.Increment(ref _dropped);
            _log.Warn($"Audit trail full or stopped; dropped '{action}' by {actor}");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _consumer = Task.Run(() => ConsumeAsync(_shutdown.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _events.Writer.TryComplete();
        if (_consumer is null)
        {
            return;
        }

        try
        {
            await _consumer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _log.Warn("Host stop timeout reached; abandoning unsaved audit events");
            _shutdown.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        _shutdown.Cancel();
        if (_consumer is not null)
        {
            try
            {
                await _consumer;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _shutdown.Dispose();
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        var reader = _events.Reader;
        var batch = new List<AuditEvent>(MaxBatch);

        while (await reader.WaitToReadAsync()) // expect: CONC012
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var auditEvent))
            {
                batch.Add(auditEvent);
            }

            await FlushAsync(batch, cancellationToken);
        }
    }

    private async Task FlushAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await _store.AppendAsync(batch.ToArray(), cancellationToken);
            Interlocked.Add(ref _persisted, batch.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Add(ref _dropped, batch.Count);
            _log.Error(ex, $"Could not persist {batch.Count} audit events");
        }
        finally
        {
            batch.Clear();
        }
    }
}
