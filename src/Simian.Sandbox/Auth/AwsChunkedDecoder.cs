using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Simian.Sandbox.Auth;

/// <summary>
/// Decodes the aws-chunked framing the SDKs use for streaming uploads
/// (<c>size;chunk-signature=..\r\n data \r\n ... 0\r\n trailers \r\n</c>), checking chunk and trailer
/// signatures when a signing context is given.
/// </summary>
internal static class AwsChunkedDecoder
{
    public static AwsChunkedBody Decode(ReadOnlySpan<byte> body, ChunkSigningContext? signing)
    {
        var data = new MemoryStream();
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var trailerText = new StringBuilder();
        var previousSignature = signing?.SeedSignature;
        var position = 0;

        while (true)
        {
            var header = ReadLine(body, ref position) ?? throw Incomplete("missing chunk header");
            var semicolon = header.IndexOf(';');
            var sizeText = (semicolon < 0 ? header : header[..semicolon]).Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw Incomplete($"bad chunk size '{sizeText}'");
            }

            if (position + size > body.Length)
            {
                throw Incomplete("chunk shorter than its declared size");
            }

            var chunk = body.Slice(position, size);
            position += size;
            if (signing is not null)
            {
                var signature = Extension(header, "chunk-signature")
                    ?? throw new AwsChunkedException("SignatureDoesNotMatch", "A chunk carries no chunk-signature.");
                var stringToSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{signing.AmzDate}\n{signing.Scope}\n{previousSignature}\n"
                    + $"{SigV4Verifier.EmptyPayloadHash}\n{SigV4Verifier.Hex(SHA256.HashData(chunk))}";
                Expect(signing, stringToSign, signature);
                previousSignature = signature;
            }

            data.Write(chunk);
            if (size == 0)
            {
                break;
            }

            if (ReadLine(body, ref position) is not "")
            {
                throw Incomplete("chunk data not followed by CRLF");
            }
        }

        string? trailerSignature = null;
        while (ReadLine(body, ref position) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw Incomplete($"bad trailer line '{line}'");
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                trailerSignature = value;
                continue;
            }

            trailers[name] = value;
            trailerText.Append(name).Append(':').Append(value).Append('\n');
        }

        if (signing is not null && trailers.Count > 0)
        {
            if (trailerSignature is null)
            {
                throw new AwsChunkedException("SignatureDoesNotMatch", "Trailing headers carry no x-amz-trailer-signature.");
            }

            var stringToSign = $"AWS4-HMAC-SHA256-TRAILER\n{signing.AmzDate}\n{signing.Scope}\n{previousSignature}\n"
                + SigV4Verifier.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(trailerText.ToString())));
            Expect(signing, stringToSign, trailerSignature);
        }

        return new AwsChunkedBody(data.ToArray(), trailers);
    }

    private static void Expect(ChunkSigningContext signing, string stringToSign, string signature)
    {
        var expected = SigV4Verifier.Hex(HMACSHA256.HashData(signing.SigningKey, Encoding.UTF8.GetBytes(stringToSign)));
        if (!SigV4Verifier.FixedTimeEquals(expected, signature.ToLowerInvariant()))
        {
            throw new AwsChunkedException(
                "SignatureDoesNotMatch",
                "The chunk signature we calculated does not match the signature you provided.");
        }
    }

    private static string? Extension(string header, string name)
    {
        foreach (var part in header.Split(';').Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim() == name)
            {
                return part[(eq + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>Reads up to the next CRLF; null at the end of the body.</summary>
    private static string? ReadLine(ReadOnlySpan<byte> body, ref int position)
    {
        if (position >= body.Length)
        {
            return null;
        }

        var rest = body[position..];
        var end = rest.IndexOf("\r\n"u8);
        if (end < 0)
        {
            position = body.Length;
            return Encoding.ASCII.GetString(rest);
        }

        position += end + 2;
        return Encoding.ASCII.GetString(rest[..end]);
    }

    private static AwsChunkedException Incomplete(string detail) =>
        new("IncompleteBody", $"The aws-chunked body is malformed: {detail}.");
}
