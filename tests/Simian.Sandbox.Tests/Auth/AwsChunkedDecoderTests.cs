using System.Text;
using Simian.Sandbox.Auth;

namespace Simian.Sandbox.Tests.Auth;

public sealed class AwsChunkedDecoderTests
{
    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void Decodes_unsigned_chunks_and_trailers()
    {
        var body = Bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");

        var decoded = AwsChunkedDecoder.Decode(body, signing: null);

        Assert.Equal("hello world", Encoding.ASCII.GetString(decoded.Data));
        Assert.Equal("DUoRhQ==", decoded.Trailers["x-amz-checksum-crc32"]);
    }

    [Fact]
    public void Ignores_chunk_extensions_when_not_verifying()
    {
        var body = Bytes("B;chunk-signature=00\r\nhello world\r\n0;chunk-signature=11\r\n\r\n");

        Assert.Equal("hello world", Encoding.ASCII.GetString(AwsChunkedDecoder.Decode(body, signing: null).Data));
    }

    [Fact]
    public void A_chunk_shorter_than_declared_is_an_incomplete_body()
    {
        var error = Assert.Throws<AwsChunkedException>(() => AwsChunkedDecoder.Decode(Bytes("10\r\nshort\r\n"), signing: null));

        Assert.Equal("IncompleteBody", error.Code);
    }

    [Fact]
    public void A_wrong_chunk_signature_is_refused()
    {
        var signing = new ChunkSigningContext(new byte[32], "20240101T000000Z", "20240101/us-east-1/s3/aws4_request", "seed");
        var body = Bytes("5;chunk-signature=deadbeef\r\nhello\r\n0;chunk-signature=deadbeef\r\n\r\n");

        var error = Assert.Throws<AwsChunkedException>(() => AwsChunkedDecoder.Decode(body, signing));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
    }
}
