using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Simian.Cli.Output;

/// <summary>Writes one indented JSON document; no reflection, so it works under Native AOT.</summary>
public static class Json
{
    /// <summary>How much a streaming writer buffers before <see cref="FlushIfFull"/> hands it on.</summary>
    private const int FlushBytes = 32 * 1024;

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            body(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Streams the document to <paramref name="output"/> as it is produced: a plan over a large fleet is
    /// megabytes of JSON, which is never held whole. Bodies with long lists call <see cref="FlushIfFull"/>.
    /// </summary>
    public static void Write(Stream output, Action<Utf8JsonWriter> body)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        body(writer);
    }

    /// <inheritdoc cref="Write(Stream, Action{Utf8JsonWriter})"/>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var stream = new TextWriterStream(output);
        Write(stream, body);
    }

    /// <summary>Hands what the writer has buffered to its stream once it is more than a few pages.</summary>
    public static void FlushIfFull(Utf8JsonWriter writer)
    {
        if (writer.BytesPending >= FlushBytes)
        {
            writer.Flush();
        }
    }

    /// <summary>Writes a whole file owner-only (0600); <paramref name="what"/> names it in errors (e.g. "--out").</summary>
    public static void WriteOwnerOnly(string path, string content, string what = "file") =>
        OutputFile.WriteOwnerOnly(path, what, stream => stream.Write(Encoding.UTF8.GetBytes(content)));

    /// <inheritdoc cref="WriteOwnerOnly(string, string, string)"/>
    public static void WriteOwnerOnly(string path, Action<Stream> write, string what = "file") => OutputFile.WriteOwnerOnly(path, what, write);

    /// <summary>UTF-8 bytes in, characters out to a <see cref="TextWriter"/> (the CLI's stdout is one).</summary>
    private sealed class TextWriterStream(TextWriter output) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false, true).GetDecoder();
        private char[] _chars = [];

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => Decode(buffer, flush: false);

        public override void Flush() => output.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // A multi-byte character split across the last two writes is completed here, or rejected.
                Decode([], flush: true);
            }
            base.Dispose(disposing);
        }

        private void Decode(ReadOnlySpan<byte> bytes, bool flush)
        {
            int most = Encoding.UTF8.GetMaxCharCount(bytes.Length);
            if (_chars.Length < most) _chars = new char[Math.Max(most, 4096)];
            int written = _decoder.GetChars(bytes, _chars, flush);
            output.Write(_chars, 0, written);
        }
    }
}
