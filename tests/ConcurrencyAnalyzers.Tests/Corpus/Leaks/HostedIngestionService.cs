using System;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Leaks.HostedIngestionService;

/// <summary>Minimal stand-in for Microsoft.Extensions.Hosting.IHostedService.</summary>
public interface IHostedService
{
    Task StartAsync(CancellationToken cancellationToken);
    Task StopAsync(CancellationToken cancellationToken);
}

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
    void Error(Exception exception, string message);
}

public sealed record IngestEvent(string Stream, long Sequence, byte[] Body);

public interface IEventSource
{
    Task ConnectAsync(CancellationToken cancellationToken);
    Task<IngestEvent?> ReceiveAsync(CancellationToken cancellationToken);
    Task WarmUpAsync(CancellationToken cancellationToken);
}

public interface IStatusBoard
{
    Task PublishAsync(string component, string status);
}

/// <summary>
/// Pulls events from the upstream source, buffers them, and appends them to the local journal.
/// On stop, receiving ends first and the journal writer drains the buffer.
/// </summary>
public sealed class IngestionHostedService : IHostedService, IDisposable
{
    private readonly IEventSource _source;
    private readonly Stream _journal;
    private readonly IStatusBoard _status;
    private readonly ILogger _logger;
    private readonly Channel<IngestEvent> _buffer = Channel.CreateBounded<IngestEvent>(new BoundedChannelOptions(512)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly CancellationTokenSource _abort = new();
    private CancellationTokenSource? _stopReceiving;
    private Task? _receiveLoop;
    private Task? _writeLoop;

    public IngestionHostedService(IEventSource source, Stream journal, IStatusBoard status, ILogger logger)
    {
        _source = source;
        _journal = journal;
        _status = status;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _source.ConnectAsync(cancellationToken);

        _stopReceiving = new CancellationTokenSource();
        _receiveLoop = ReceiveLoopAsync(_stopReceiving.Token);
        _writeLoop = WriteLoopAsync(_abort.Token);

        // Warm-up is optional and gives up if startup is cancelled.
        _ = WarmUpAsync(cancellationToken);
        _ = AnnounceAsync("running"); // expect: CONC010
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopReceiving is null || _receiveLoop is null || _writeLoop is null)
        {
            return;
        }

        _stopReceiving.Cancel();

        var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // expect: CONC013
        drain.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await _receiveLoop.WaitAsync(drain.Token);
            await _writeLoop.WaitAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
            _logger.Warn("Journal writer did not drain in time; abandoning buffered events.");
            _abort.Cancel();
            try
            {
                await _writeLoop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _journal.FlushAsync(); // expect: CONC012
        _logger.Info("Ingestion stopped.");
    }

    private async Task ReceiveLoopAsync(CancellationToken stopToken)
    {
        try
        {
            while (!stopToken.IsCancellationRequested)
            {
                var evt = await _source.ReceiveAsync(stopToken);
                if (evt is null)
                {
                    _logger.Info("Upstream closed the stream.");
                    break;
                }

                await _buffer.Writer.WriteAsync(evt, stopToken);
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Receiving from upstream failed.");
        }
        finally
        {
            _buffer.Writer.TryComplete();
        }
    }

    private async Task WriteLoopAsync(CancellationToken abortToken)
    {
        var reader = _buffer.Reader;
        while (await reader.WaitToReadAsync(abortToken))
        {
            while (reader.TryRead(out var evt))
            {
                await _journal.WriteAsync(evt.Body, abortToken);
            }

            await _journal.FlushAsync(abortToken);
        }
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _source.WarmUpAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Cache warm-up failed; continuing cold.");
        }
    }

    private async Task AnnounceAsync(string state)
    {
        await _status.PublishAsync("ingestion", state);
    }

    public void Dispose()
    {
        _stopReceiving?.Dispose();
        _abort.Dispose();
    }
}
