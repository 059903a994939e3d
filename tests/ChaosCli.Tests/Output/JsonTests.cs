using System.Text;
using CliJson = Simian.Cli.Output.Json;

namespace Simian.Cli.Tests.Output;

public sealed class JsonTests
{
    // Long enough for many intermediate flushes, with characters of 2, 3 and 4 UTF-8 bytes, so flush boundaries
    // fall inside multi-byte characters.
    private static void Body(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartArray("items");
        for (int i = 0; i < 20_000; i++)
        {
            w.WriteStringValue($"ü{i}€🐒");
            CliJson.FlushIfFull(w);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    [Fact]
    public void Streaming_to_a_text_writer_gives_exactly_the_document_built_in_memory()
    {
        var whole = CliJson.Write(Body);
        var streamed = new StringWriter();
        CliJson.Write(streamed, Body);

        Assert.True(whole.Length > 200_000);
        Assert.Equal(whole, streamed.ToString());
    }

    [Fact]
    public void Streaming_hands_the_text_on_in_pieces_rather_than_once_at_the_end()
    {
        var writer = new CountingWriter();
        CliJson.Write(writer, Body);
        Assert.True(writer.Writes > 5, $"{writer.Writes} writes");
    }

    [Fact]
    public void Streaming_to_a_stream_writes_utf8()
    {
        using var stream = new MemoryStream();
        CliJson.Write(stream, Body);
        Assert.Equal(CliJson.Write(Body), Encoding.UTF8.GetString(stream.ToArray()));
    }

    private sealed class CountingWriter : StringWriter
    {
        public int Writes { get; private set; }

        public override void Write(char[] buffer, int index, int count)
        {
            Writes++;
            base.Write(buffer, index, count);
        }
    }
}
