using System.Security.Cryptography;
using System.Text;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Auth;

/// <summary>Recomputes a request's SigV4 signature from the secret and compares it with the one sent.</summary>
internal static class SigV4Verifier
{
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static SigV4Check Verify(SandboxRequest request, SigV4Authorization auth, string secretAccessKey)
    {
        var signingKey = SigningKey(secretAccessKey, auth.Date, auth.Region, auth.Service);
        var headers = CanonicalHeaders(request, auth.SignedHeaders);
        var query = CanonicalQuery(request, auth.Presigned);
        var payload = PayloadHash(request, auth);
        var signedHeaders = string.Join(';', auth.SignedHeaders);

        SigV4Check? first = null;
        foreach (var uri in CanonicalUris(request, auth.Service))
        {
            var canonical = $"{request.Method}\n{uri}\n{query}\n{headers}\n{signedHeaders}\n{payload}";
            var stringToSign = $"{SigV4Authorization.Algorithm}\n{auth.AmzDate}\n{auth.Scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var expected = Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
            var check = new SigV4Check(FixedTimeEquals(expected, auth.Signature), signingKey, canonical, stringToSign);
            if (check.Valid)
            {
                return check;
            }

            first ??= check;
        }

        return first!;
    }

    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private static string PayloadHash(SandboxRequest request, SigV4Authorization auth)
    {
        if (auth.Presigned)
        {
            return request.QueryValue("X-Amz-Content-Sha256")
                ?? (auth.Service == "s3" ? "UNSIGNED-PAYLOAD" : Hex(SHA256.HashData(request.Body)));
        }

        return request.Header("x-amz-content-sha256") ?? Hex(SHA256.HashData(request.Body));
    }

    private static string CanonicalHeaders(SandboxRequest request, IReadOnlyList<string> signedHeaders)
    {
        var builder = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            var value = request.Header(name) ?? "";
            builder.Append(name).Append(':').Append(CollapseSpaces(value.Trim())).Append('\n');
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            previousSpace = c == ' ';
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string CanonicalQuery(SandboxRequest request, bool presigned)
    {
        var pairs = request.Query
            .Where(p => !(presigned && p.Key == "X-Amz-Signature"))
            .Select(p => (Name: AwsUriEncoding.Encode(p.Key, keepSlash: false), Value: AwsUriEncoding.Encode(p.Value, keepSlash: false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>
    /// S3 signs the path encoded once, other services encoded twice; clients differ in how they spell the
    /// path on the wire, so every reasonable spelling is tried.
    /// </summary>
    private static IEnumerable<string> CanonicalUris(SandboxRequest request, string service)
    {
        var raw = request.RawPath.Length == 0 ? "/" : request.RawPath;
        var once = AwsUriEncoding.Encode(request.Path, keepSlash: true);
        var candidates = service == "s3"
            ? new[] { once, raw }
            : new[] { AwsUriEncoding.Encode(once, keepSlash: true), AwsUriEncoding.Encode(raw, keepSlash: true), raw };
        return candidates.Distinct(StringComparer.Ordinal);
    }
}
