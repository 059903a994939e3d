using System.Text;
using System.Xml;

namespace Simian.Sandbox.Http;

/// <summary>What the sandbox answers: a status, headers and either a buffered or a streamed body.</summary>
internal sealed class SandboxResponse
{
    private static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        CloseOutput = false,
    };

    public int Status { get; init; } = 200;

    public string? ContentType { get; init; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Writes a body of unknown length (sent chunked); used for large listings.</summary>
    public Action<Stream>? StreamBody { get; init; }

    /// <summary>For HEAD answers: the length the matching GET would have, sent without a body.</summary>
    public long? HeadContentLength { get; init; }

    /// <summary>The operation name, for the request counters and the log.</summary>
    public string Action { get; set; } = "";

    public SandboxResponse WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    public static SandboxResponse Empty(int status) => new() { Status = status };

    public static SandboxResponse Xml(int status, Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, XmlSettings))
        {
            writer.WriteStartDocument();
            write(writer);
            writer.WriteEndDocument();
        }

        return new SandboxResponse { Status = status, ContentType = "text/xml", Body = buffer.ToArray() };
    }

    public static SandboxResponse StreamedXml(Action<XmlWriter> write) => new()
    {
        Status = 200,
        ContentType = "text/xml",
        StreamBody = stream =>
        {
            using var buffered = new BufferedStream(stream, 64 * 1024);
            using (var writer = XmlWriter.Create(buffered, XmlSettings))
            {
                writer.WriteStartDocument();
                write(writer);
                writer.WriteEndDocument();
            }

            buffered.Flush();
        },
    };

    public static SandboxResponse Json(int status, byte[] body) =>
        new() { Status = status, ContentType = "application/json", Body = body };
}
