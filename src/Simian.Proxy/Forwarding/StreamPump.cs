using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Simian.Proxy;

/// <summary>Copies one direction of a connection, passing chunks through that stream's toxics when there are any.</summary>
internal sealed class StreamPump : IChunkSink
{
    // Reads start small and grow while reads keep filling the buffer: a bulk transfer then moves up to 1 MiB per
    // receive (a sixteenth of the wake-ups of 64 KiB reads; 1.4 -> 2.2 GB/s on one stream in docs/benchmarks.md),
    // while request/response traffic keeps one small buffer per direction.
    internal const int MinBufferBytes = 16 * 1024;
    internal const int MaxBufferBytes = 1024 * 1024;

    // The proxy's own pool: ArrayPool<byte>.Shared also keeps one array of each size per thread, and a busy proxy
    // has dozens of thread-pool threads, so megabyte buffers cached per thread made memory creep up over a soak.
    // This pool keeps at most ArraysPerSize free arrays of each size (~46 MiB in all), whatever the thread count.
    private const int ArraysPerSize = 32;
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(MaxBufferBytes, ArraysPerSize);

    // While toxics hold chunks, each read is at most this, so the queue below bounds a stream's held data to
    // QueueChunks x ToxicChunkBytes (16 MiB) however large the buffer has grown.
    internal const int ToxicChunkBytes = 64 * 1024;

    // Bounds how far the reader may run ahead of a delayed or rate-limited writer, and so the memory per stream.
    private const int QueueChunks = 256;

    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly DirectionToxics _toxics;
    private readonly ToxicContext _context;
    private readonly Action _fail;
    private readonly CancellationToken _cancellationToken;
    private Channel<QueuedChunk>? _queue;
    private Task? _writer;

    // Chunks handed to the writer and not yet written; while non-zero the reader may not write directly,
    // or a chunk could overtake one still held by a toxic.
    private int _pending;

    public StreamPump(Socket source, Socket destination, DirectionToxics toxics, ToxicContext context, Action fail, CancellationToken cancellationToken)
    {
        _source = source;
        _destination = destination;
        _toxics = toxics;
        _context = context;
        _fail = fail;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Runs until the source ends (then half-closes the destination) or either side fails (then fails the link).</summary>
    public async Task RunAsync()
    {
        int size = MinBufferBytes;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    if (size > MinBufferBytes)
                    {
                        // A large buffer is only taken once there is data for it (a zero-byte receive waits for
                        // that), so a connection that moved a bulk transfer and went idle holds none.
                        // Socket operations are not given the token: the link aborts them by closing the sockets,
                        // which keeps the fast path free of cancellation registrations.
                        await _source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    }

                    buffer = Buffers.Rent(size);
                }

                bool direct = Volatile.Read(ref _pending) == 0 && _toxics.Current.Length == 0;
                int limit = direct ? buffer.Length : Math.Min(buffer.Length, ToxicChunkBytes);
                int read = await _source.ReceiveAsync(buffer.AsMemory(0, limit), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                // Checked again: a toxic added while the receive waited must see this chunk.
                if (Volatile.Read(ref _pending) == 0 && _toxics.Current.Length == 0)
                {
                    await SendAsync(buffer.AsMemory(0, read), _cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await EnqueueAsync(buffer, read).ConfigureAwait(false);
                }

                // Full read: more is likely waiting, so read more at a time. A small read (request/response
                // traffic) goes back to the small buffer, which is kept: that path costs no extra system call.
                size = read == limit ? Math.Min(size * 4, MaxBufferBytes) : read <= MinBufferBytes ? MinBufferBytes : size;
                if (buffer.Length != size || (read < limit && buffer.Length > MinBufferBytes))
                {
                    Buffers.Return(buffer);
                    buffer = null;
                }
            }

            await FinishAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Whatever failed (reset by a peer, closed by the link, cancelled), the connection is over.
            _fail();
        }
        finally
        {
            if (buffer is not null)
            {
                Buffers.Return(buffer);
            }
        }
    }

    /// <summary>Writes all of the data; a pending write is ended by the link closing the socket, not by the token.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await _destination.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private async ValueTask EnqueueAsync(byte[] buffer, int length)
    {
        long readAt = _context.Time.GetTimestamp();
        byte[] copy = Buffers.Rent(length);
        buffer.AsSpan(0, length).CopyTo(copy);
        Channel<QueuedChunk> queue = EnsureWriter();
        Interlocked.Increment(ref _pending);
        try
        {
            await queue.Writer.WriteAsync(new QueuedChunk(copy, length, readAt), _cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Buffers.Return(copy);
            throw;
        }
    }

    private async ValueTask FinishAsync()
    {
        if (_queue is null)
        {
            _destination.Shutdown(SocketShutdown.Send);
            return;
        }

        // The end of stream queues behind any held chunks so the peer never sees FIN before the last bytes.
        Interlocked.Increment(ref _pending);
        await _queue.Writer.WriteAsync(default, _cancellationToken).ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _writer!.ConfigureAwait(false);
    }

    private Channel<QueuedChunk> EnsureWriter()
    {
        if (_queue is null)
        {
            _queue = Channel.CreateBounded<QueuedChunk>(new BoundedChannelOptions(QueueChunks)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _writer = WriteLoopAsync(_queue.Reader);
        }

        return _queue;
    }

    private async Task WriteLoopAsync(ChannelReader<QueuedChunk> reader)
    {
        try
        {
            while (await reader.WaitToReadAsync(_cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out QueuedChunk chunk))
                {
                    try
                    {
                        if (chunk.Buffer is null)
                        {
                            _destination.Shutdown(SocketShutdown.Send);
                        }
                        else
                        {
                            // Toxics are read per chunk, so adding or removing one takes effect on open connections.
                            var pipe = new ToxicPipe(_toxics.Current, 0, this, _context);
                            var data = new ToxicChunk(chunk.Buffer.AsMemory(0, chunk.Length), chunk.Timestamp);
                            await pipe.WriteAsync(data, _cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        if (chunk.Buffer is not null)
                        {
                            Buffers.Return(chunk.Buffer);
                        }

                        Interlocked.Decrement(ref _pending);
                    }
                }
            }
        }
        catch (Exception)
        {
            _fail();
        }
    }
}
