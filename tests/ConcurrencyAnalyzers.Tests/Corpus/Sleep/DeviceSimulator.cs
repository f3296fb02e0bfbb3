using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.Devices;

public interface IDeviceBus
{
    void Send(string command);
}

/// <summary>
/// Stand-in for the sensor driver, used by the hardware-in-the-loop rig when no device is attached.
/// </summary>
public sealed class DeviceSimulator
{
    private readonly IDeviceBus _bus;
    private volatile bool _armed;
    private volatile TaskCompletionSource? _armAck;
    private int _readings;

    public DeviceSimulator(IDeviceBus bus) => _bus = bus;

    public int Readings => Volatile.Read(ref _readings);

    public ValueTask<double> ReadTemperatureAsync()
    {
        Thread.Sleep(TimeSpan.FromMilliseconds(15)); // expect: CONC020
        Interlocked.Increment(ref _readings);
        return new ValueTask<double>(20 + Random.Shared.NextDouble() * 5);
    }

    public Task<double> ReadPressureAsync() => Task.Run(() =>
    {
        Thread.Sleep(15); // bus latency, paid on a pool thread
        Interlocked.Increment(ref _readings);
        return 1013.25 + Random.Shared.NextDouble();
    });

    public double ReadHumidity()
    {
        Thread.Sleep(15);
        Interlocked.Increment(ref _readings);
        return 40 + Random.Shared.NextDouble() * 10;
    }

    public Task CalibrateAsync(int passes)
    {
        async Task OnePassAsync(int pass)
        {
            _bus.Send($"CAL {pass}");
            Thread.Sleep(40); // expect: CONC020
            await Task.Yield();
            _bus.Send($"CAL {pass} DONE");
        }

        return Task.WhenAll(Enumerable.Range(1, passes).Select(OnePassAsync));
    }

    public Func<CancellationToken, Task> CreateHeartbeat(TimeSpan every) => async token =>
    {
        while (!token.IsCancellationRequested)
        {
            _bus.Send("PING");
            Thread.Sleep(every); // expect: CONC020
            await Task.Yield();
        }
    };

    // Bus callback: the device acknowledged ARM.
    public void OnArmAcknowledged()
    {
        _armed = true;
        _armAck?.TrySetResult();
    }

    public bool Arm(TimeSpan timeout)
    {
        _armed = false;
        _bus.Send("ARM");
        return SpinWait.SpinUntil(() => _armed, timeout); // expect: CONC022
    }

    public async Task<bool> ArmAsync(TimeSpan timeout)
    {
        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _armAck = ack;
        _armed = false;
        _bus.Send("ARM");
        try
        {
            await ack.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
