using System.Net;

namespace Simian.Sandbox.Http;

/// <summary>
/// A streamed body (a large listing) that is sent in one piece with a Content-Length while it stays under
/// <see cref="DefaultLimit"/>, and chunked only once it grows past it. A chunked body ends with a separate five-byte
/// write, which the kernel holds back (Nagle) until the client has acknowledged what came before; a client that
/// delays its acknowledgements (40 ms on Linux, on a reused connection) then waited that long for every listing:
/// a rollback that starts an instance and reads it back paid it on each read.
/// </summary>
internal sealed class SpillToChunked(HttpListenerResponse response, int limit) : Stream
{
    /// <summary>Listings up to this size go out whole; 100,000 instances (tens of MB) still stream.</summary>
    public const int DefaultLimit = 1024 * 1024;

    private readonly MemoryStream _buffer = new();
    private bool _spilled;
    private bool _finished;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (!_spilled && _buffer.Length + buffer.Length <= limit)
        {
            _buffer.Write(buffer);
            return;
        }

        if (!_spilled)
        {
            _spilled = true;
            response.SendChunked = true;
            response.OutputStream.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            _buffer.SetLength(0);
        }

        response.OutputStream.Write(buffer);
    }

    /// <summary>
    /// Sends what is held, with its length, unless the body already went out chunked. Also done on dispose: a writer
    /// that wraps this stream (a BufferedStream) disposes it when it is done.
    /// </summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (_spilled) return;
        response.ContentLength64 = _buffer.Length;
        response.OutputStream.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
    }

    public override void Flush()
    {
        if (_spilled) response.OutputStream.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Finish();
            _buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
