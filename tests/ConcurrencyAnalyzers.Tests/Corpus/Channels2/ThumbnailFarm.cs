using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Thumbnails;

public interface IImageCodec
{
    Task<byte[]> LoadAsync(string path, CancellationToken cancellationToken);

    byte[] Resize(byte[] image, int maxEdge);

    Task SaveAsync(string path, byte[] image, CancellationToken cancellationToken);
}

public sealed record ThumbnailResult(string Source, string? Thumbnail, string? Error, int WorkerId);

public sealed class ThumbnailReport
{
    private readonly List<ThumbnailResult> _failures = new();

    public int Succeeded { get; private set; }

    public IReadOnlyList<ThumbnailResult> Failures => _failures;

    public void Add(ThumbnailResult result)
    {
        if (result.Error is null)
        {
            Succeeded++;
        }
        else
        {
            _failures.Add(result);
        }
    }
}

public sealed class ThumbnailFarm
{
    private readonly IImageCodec _codec;
    private readonly string _outputDirectory;
    private readonly int _maxEdge;

    public ThumbnailFarm(IImageCodec codec, string outputDirectory, int maxEdge = 320)
    {
        _codec = codec;
        _outputDirectory = outputDirectory;
        _maxEdge = maxEdge;
    }

    public async Task<ThumbnailReport> GenerateAsync(IEnumerable<string> sources, int workerCount, CancellationToken cancellationToken)
    {
        var jobs = Channel.CreateBounded<string>(new BoundedChannelOptions(workerCount * 4)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var results = Channel.CreateUnbounded<ThumbnailResult>(new UnboundedChannelOptions { SingleReader = true });

        var collector = Task.Run(() => CollectAsync(results.Reader)); // expect: CONC012

        var workers = new Task[workerCount];
        for (var i = 0; i < workerCount; i++)
        {
            var workerId = i + 1;
            workers[i] = Task.Run(() => ResizeWorkerAsync(workerId, jobs.Reader, results.Writer, cancellationToken));
        }

        try
        {
            foreach (var source in sources)
            {
                await jobs.Writer.WriteAsync(source, cancellationToken);
            }

            jobs.Writer.Complete();

            await Task.WhenAll(workers);
            results.Writer.Complete();
        }
        catch (Exception ex)
        {
            jobs.Writer.TryComplete(ex);
            results.Writer.TryComplete(ex);
            throw;
        }

        return await collector;
    }

    private async Task ResizeWorkerAsync(int workerId, ChannelReader<string> jobs, ChannelWriter<ThumbnailResult> results, CancellationToken cancellationToken)
    {
        await foreach (var source in jobs.ReadAllAsync(cancellationToken))
        {
            ThumbnailResult result;
            try
            {
                var image = await _codec.LoadAsync(source, cancellationToken);
                var thumbnail = _codec.Resize(image, _maxEdge);
                var target = TargetPath(source);
                await _codec.SaveAsync(target, thumbnail, cancellationToken);
                result = new ThumbnailResult(source, target, null, workerId);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                result = new ThumbnailResult(source, null, ex.Message, workerId);
            }

            await results.WriteAsync(result, cancellationToken);
        }
    }

    private string TargetPath(string source)
        => Path.Combine(_outputDirectory, Path.GetFileNameWithoutExtension(source) + ".thumb.jpg");

    private static async Task<ThumbnailReport> CollectAsync(ChannelReader<ThumbnailResult> results)
    {
        var report = new ThumbnailReport();
        await foreach (var result in results.ReadAllAsync())
        {
            report.Add(result);
        }

        return report;
    }
}
