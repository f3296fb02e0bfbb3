using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Threading;

namespace Corpus.Channels.Sensors
{
    public readonly struct SensorReading
    {
        public SensorReading(DateTime timestampUtc, int channel, double value)
        {
            TimestampUtc = timestampUtc;
            Channel = channel;
            Value = value;
        }

        public DateTime TimestampUtc { get; }
        public int Channel { get; }
        public double Value { get; }
    }

    public interface IDataAcquisitionDevice
    {
        /// <summary>
        /// Blocks until the next frame is available or <paramref name="timeout"/> elapses.
        /// Returns false on timeout.
        /// </summary>
        bool TryReadFrame(TimeSpan timeout, out SensorReading[] frame);
    }

    /// <summary>
    /// Bench-test recorder: one thread talks to the DAQ card, one thread writes CSV.
    /// The device driver is synchronous and must always be called from the same thread.
    /// </summary>
    public sealed class SensorSampler : IDisposable
    {
        private readonly IDataAcquisitionDevice _device;
        private readonly BlockingCollection<SensorReading> _readings = new(boundedCapacity: 100_000);
        private readonly CancellationTokenSource _stop = new();
        private readonly string _csvPath;
        private Thread? _acquisitionThread;
        private Thread? _writerThread;
        private long _overruns;
        private long _written;

        public SensorSampler(IDataAcquisitionDevice device, string csvPath)
        {
            _device = device;
            _csvPath = csvPath;
        }

        public long Overruns => Interlocked.Read(ref _overruns);
        public long Written => Interlocked.Read(ref _written);

        public void Start()
        {
            if (_acquisitionThread is not null)
            {
                throw new InvalidOperationException("Sampler already started.");
            }

            _writerThread = new Thread(WriteLoop) { Name = "csv-writer" };
            _acquisitionThread = new Thread(() => AcquireLoop(_stop.Token))
            {
                Name = "daq-acquisition",
                Priority = ThreadPriority.AboveNormal,
            };

            _writerThread.Start();
            _acquisitionThread.Start();
        }

        private void AcquireLoop(CancellationToken stopToken)
        {
            try
            {
                while (!stopToken.IsCancellationRequested)
                {
                    if (!_device.TryReadFrame(TimeSpan.FromMilliseconds(250), out var frame))
                    {
                        continue;
                    }

                    foreach (var reading in frame)
                    {
                        // Never stall the driver: if the writer has fallen this far behind,
                        // count the overrun and move on.
                        if (!_readings.TryAdd(reading, millisecondsTimeout: 5))
                        {
                            Interlocked.Increment(ref _overruns);
                        }
                    }
                }
            }
            finally
            {
                _readings.CompleteAdding();
            }
        }

        private void WriteLoop()
        {
            using var writer = new StreamWriter(_csvPath, append: false);
            writer.WriteLine("timestamp_utc,channel,value");

            foreach (var reading in _readings.GetConsumingEnumerable())
            {
                writer.Write(reading.TimestampUtc.ToString("O", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(reading.Channel.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.WriteLine(reading.Value.ToString("R", CultureInfo.InvariantCulture));
                Interlocked.Increment(ref _written);
            }
        }

        /// <summary>Stops acquisition and waits until every buffered reading is on disk.</summary>
        public void Stop()
        {
            _stop.Cancel();
            _acquisitionThread?.Join();
            _writerThread?.Join();
        }

        public void Dispose()
        {
            Stop();
            _stop.Dispose();
            _readings.Dispose();
        }
    }
}
