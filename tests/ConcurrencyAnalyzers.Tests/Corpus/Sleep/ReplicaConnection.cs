using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Replication;

/// <summary>
/// Outbound connection to a read replica. The transport calls OnHandshakeCompleted from its own IO thread.
/// </summary>
public sealed class ReplicaConnection : IDisposable
{
    private const int StateConnecting = 0;
    private const int StateReady = 1;

    private readonly ConcurrentQueue<byte[]> _outbound = new();
    private readonly Func<byte[], bool> _transportSend;
    private volatile bool _initialized;
    private volatile bool _connected;
    private volatile bool _pumpStop;
    private int _inFlight;
    private int _state = StateConnecting;
    private Thread? _pump;

    public ReplicaConnection(Func<byte[], bool> transportSend) => _transportSend = transportSend;

    public void BeginInitialize(Action loadSchema)
    {
        ThreadPool.QueueUserWorkItem(_ =>
        {
            loadSchema();
            _initialized = true;
        });
    }

    public async Task EnsureInitializedAsync()
    {
        while (!_initialized) // expect: CONC022
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public void OnHandshakeCompleted()
    {
        _connected = true;
        Volatile.Write(ref _state, StateReady);
        StartPump();
    }

    public async Task<bool> WaitForConnectionAsync(CancellationToken token)
    {
        for (var attempt = 0; attempt < 50 && !_connected; attempt++) // expect: CONC022
        {
            await Task.Delay(100, token).ConfigureAwait(false);
        }

        return _connected;
    }

    public void WaitUntilReady()
    {
        while (Volatile.Read(ref _state) != StateReady) // expect: CONC022 (Volatile.Read of a field the IO thread writes is polled shared state)
        {
            Thread.Sleep(5);
        }
    }

    public void Send(byte[] message)
    {
        Interlocked.Increment(ref _inFlight);
        _outbound.Enqueue(message);
    }

    public async Task DrainAsync()
    {
        while (_inFlight > 0) // expect: CONC022
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    // Only returns when the caller cancels; used to keep a lease open in tests.
    public static async Task HoldUntilCancelledAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void StartPump()
    {
        _pump = new Thread(PumpLoop) { IsBackground = true, Name = "replica-pump" };
        _pump.Start();
    }

    private void PumpLoop()
    {
        while (!_pumpStop)
        {
            if (_outbound.TryDequeue(out var message))
            {
                if (_transportSend(message))
                {
                    Interlocked.Decrement(ref _inFlight);
                }
                else
                {
                    _outbound.Enqueue(message);
                }
            }
            else
            {
                Thread.Sleep(5);
            }
        }
    }

    public void StopPump()
    {
        _pumpStop = true;
        var pump = _pump;
        if (pump is null)
        {
            return;
        }

        while (pump.IsAlive) // expect: CONC022
        {
            Thread.Sleep(10);
        }
    }

    public void Dispose() => StopPump();
}
