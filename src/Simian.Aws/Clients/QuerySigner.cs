using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Simian.Aws.Clients;

/// <summary>
/// Signature Version 4 for a Query-protocol POST (a form body), for the one service whose SDK package is not
/// available here (Auto Scaling). https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
/// </summary>
internal static class QuerySigner
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The Authorization header for a request with the given canonical pieces; headers must be lowercase and sorted.</summary>
    public static string Authorization(
        string method, string path, string query, IReadOnlyList<(string Name, string Value)> headers, string payloadHash,
        string accessKey, string secret, DateTimeOffset at, string region, string service)
    {
        var date = at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var signedHeaders = string.Join(';', headers.Select(h => h.Name));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(path).Append('\n')
            .Append(query).Append('\n');
        foreach (var (name, value) in headers) canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), region), service), "aws4_request");
        var signature = Hex(Hmac(key, toSign));
        return $"{Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX in upper case.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
