using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Uploads
{
    public readonly struct Chunk
    {
        public Chunk(long offset, byte[]? buffer, int length, byte[]? digest)
        {
            Offset = offset;
            Buffer = buffer;
            Length = length;
            Digest = digest;
        }

        public long Offset { get; }
        public byte[]? Buffer { get; }
        public int Length { get; }
        public byte[]? Digest { get; }

        public bool IsTrailer => Digest is not null;

        public static Chunk Data(long offset, byte[] buffer, int length) => new(offset, buffer, length, null);

        public static Chunk Trailer(long totalLength, byte[] digest) => new(totalLength, null, 0, digest);
    }

    public interface IUploadSession : IAsyncDisposable
    {
        Task AppendAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
        Task CommitAsync(long totalLength, byte[] sha256, CancellationToken cancellationToken);
        Task AbortAsync(CancellationToken cancellationToken);
    }

    /// <summary>
    /// Streams a file to the blob service while reading ahead from disk, so that
    /// network and disk I/O overlap. The read-ahead depth is bounded by the channel.
    /// </summary>
    public sealed class ChunkedUploader
    {
        private readonly int _chunkSize;
        private readonly int _readAhead;

        public ChunkedUploader(int chunkSize = 4 * 1024 * 1024, int readAhead = 4)
        {
            _chunkSize = chunkSize;
            _readAhead = readAhead;
        }

        public async Task UploadAsync(Stream source, IUploadSession session, CancellationToken cancellationToken)
        {
            var channel = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(_readAhead)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
                SingleWriter = true,
            });

            var sender = SendAsync(channel.Reader, session, cancellationToken);
            await ProduceAsync(source, channel.Writer, cancellationToken).ConfigureAwait(false);
            await sender.ConfigureAwait(false);
        }

        private async Task ProduceAsync(Stream source, ChannelWriter<Chunk> writer, CancellationToken cancellationToken)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long offset = 0;

            try
            {
                while (true)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(_chunkSize);
                    int read = await source.ReadAsync(buffer.AsMemory(0, _chunkSize), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        break;
                    }

                    hash.AppendData(buffer, 0, read);
                    await writer.WriteAsync(Chunk.Data(offset, buffer, read), cancellationToken).ConfigureAwait(false);
                    offset += read;
                }
            }
            catch (IOException ex)
            {
                // The source went away mid-read (network share, removable media);
                // fail the channel so the sender aborts the session.
                writer.TryComplete(ex);
            }

            // The trailer carries the length and digest the service verifies on commit.
            await writer.WriteAsync(Chunk.Trailer(offset, hash.GetHashAndReset()), cancellationToken).ConfigureAwait(false); // expect: CONC040
            writer.TryComplete();
        }

        private static async Task SendAsync(ChannelReader<Chunk> reader, IUploadSession session, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var chunk in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (chunk.IsTrailer)
                    {
                        await session.CommitAsync(chunk.Offset, chunk.Digest!, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        await session.AppendAsync(chunk.Offset, chunk.Buffer.AsMemory(0, chunk.Length), cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(chunk.Buffer!);
                    }
                }
            }
            catch (Exception)
            {
                await session.AbortAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
    }
}
