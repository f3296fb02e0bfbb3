using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Sensors;

public readonly record struct Reading(string SensorId, double Value, DateTimeOffset TakenAt);

public interface ISensor
{
    string Id { get; }

    ValueTask<double> ReadAsync(CancellationToken cancellationToken);
}

public interface IReadingStore
{
    Task SaveAsync(IReadOnlyList<Reading> readings);
}

public sealed class SensorPoller
{
    private readonly IReadOnlyList<ISensor> _sensors;
    private readonly ChannelWriter<Reading> _output;
    private readonly int _maxConcurrentReads;
    private int _failedReads;

    public SensorPoller(IReadOnlyList<ISensor> sensors, ChannelWriter<Reading> output, int maxConcurrentReads = 8)
    {
        _sensors = sensors;
        _output = output;
        _maxConcurrentReads = maxConcurrentReads;
    }

    public int FailedReads => Volatile.Read(ref _failedReads);

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = _maxConcurrentReads,
            CancellationToken = cancellationToken,
        };

        await Parallel.ForEachAsync(_sensors, options, async (sensor, token) =>
        {
            double value;
            try
            {
                value = await sensor.ReadAsync(token);
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref _failedReads);
                return;
            }

            await _output.WriteAsync(new Reading(sensor.Id, value, DateTimeOffset.UtcNow), token);
        });
    }
}

public sealed class ReadingRecorder
{
    private readonly ChannelReader<Reading> _input;
    private readonly IReadingStore _store;
    private readonly int _batchSize;

    public ReadingRecorder(ChannelReader<Reading> input, IReadingStore store, int batchSize = 256)
    {
        _input = input;
        _store = store;
        _batchSize = batchSize;
    }

    public async Task<int> RunAsync()
    {
        var recorded = 0;
        var batch = new List<Reading>(_batchSize);
        while (await _input.WaitToReadAsync())
        {
            while (batch.Count < _batchSize && _input.TryRead(out var reading))
            {
                batch.Add(reading);
            }

            await _store.SaveAsync(batch.ToArray());
            recorded += batch.Count;
            batch.Clear();
        }

        return recorded;
    }
}

public sealed class IngestCoordinator
{
    private readonly IReadingStore _store;
    private readonly TimeSpan _interval;

    public IngestCoordinator(IReadingStore store, TimeSpan interval)
    {
        _store = store;
        _interval = interval;
    }

    public async Task<int> RunAsync(IReadOnlyList<ISensor> sensors, int rounds, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<Reading>(new BoundedChannelOptions(1_024)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var poller = new SensorPoller(sensors, channel.Writer);
        var recorder = new ReadingRecorder(channel.Reader, _store);
        var recording = recorder.RunAsync();

        try
        {
            using var ticker = new PeriodicTimer(_interval);
            for (var round = 0; round < rounds; round++)
            {
                await poller.PollOnceAsync(cancellationToken);
                if (round + 1 < rounds)
                {
                    await ticker.WaitForNextTickAsync(cancellationToken);
                }
            }

            channel.Writer.Complete();
        }
        catch (Exception ex)
        {
            channel.Writer.TryComplete(ex);
        }

        return await recording;
    }
}
