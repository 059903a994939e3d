using System.Globalization;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Auth;

/// <summary>The SigV4 credentials a request carries, from its Authorization header or presigned query.</summary>
internal sealed class SigV4Authorization
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    public required string AccessKeyId { get; init; }

    public required string Date { get; init; }

    public required string Region { get; init; }

    public required string Service { get; init; }

    public required IReadOnlyList<string> SignedHeaders { get; init; }

    public required string Signature { get; init; }

    /// <summary>The request time in SigV4's basic format (yyyyMMddTHHmmssZ).</summary>
    public required string AmzDate { get; init; }

    public bool Presigned { get; init; }

    public string Scope => $"{Date}/{Region}/{Service}/aws4_request";

    /// <summary>
    /// Reads the request's SigV4 credentials. Returns false when it carries none; throws
    /// <see cref="FormatException"/> when it carries some that cannot be read.
    /// </summary>
    public static bool TryParse(SandboxRequest request, out SigV4Authorization? authorization)
    {
        authorization = null;
        var header = request.Header("Authorization");
        if (!string.IsNullOrWhiteSpace(header))
        {
            authorization = ParseHeader(header.Trim(), request);
            return true;
        }

        if (request.QueryValue("X-Amz-Credential") is { } credential)
        {
            authorization = ParsePresigned(credential, request);
            return true;
        }

        return false;
    }

    /// <summary>The scope's service name, read leniently so even a malformed header can be routed.</summary>
    public static string? ServiceHint(SandboxRequest request)
    {
        var credential = request.QueryValue("X-Amz-Credential");
        if (credential is null && request.Header("Authorization") is { } header)
        {
            var at = header.IndexOf("Credential=", StringComparison.Ordinal);
            if (at >= 0)
            {
                var end = header.IndexOfAny([',', ' '], at);
                credential = end < 0 ? header[(at + 11)..] : header[(at + 11)..end];
            }
        }

        var parts = credential?.Split('/');
        return parts is { Length: >= 5 } ? parts[^2] : null;
    }

    private static SigV4Authorization ParseHeader(string header, SandboxRequest request)
    {
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            throw new FormatException($"Unsupported Authorization type; only {Algorithm} is accepted.");
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[(Algorithm.Length + 1)..].Split(','))
        {
            var item = part.Trim();
            var eq = item.IndexOf('=');
            if (eq < 0)
            {
                continue;
            }

            var value = item[(eq + 1)..].Trim();
            switch (item[..eq].Trim())
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            throw new FormatException("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.");
        }

        var amzDate = request.Header("X-Amz-Date") ?? FromHttpDate(request.Header("Date"))
            ?? throw new FormatException("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        return Build(credential, signedHeaders, signature, amzDate, presigned: false);
    }

    private static SigV4Authorization ParsePresigned(string credential, SandboxRequest request)
    {
        if (request.QueryValue("X-Amz-Algorithm") != Algorithm)
        {
            throw new FormatException($"X-Amz-Algorithm only supports \"{Algorithm}\".");
        }

        var signedHeaders = request.QueryValue("X-Amz-SignedHeaders") ?? throw new FormatException("Missing X-Amz-SignedHeaders.");
        var signature = request.QueryValue("X-Amz-Signature") ?? throw new FormatException("Missing X-Amz-Signature.");
        var amzDate = request.QueryValue("X-Amz-Date") ?? throw new FormatException("Missing X-Amz-Date.");
        return Build(credential, signedHeaders, signature, amzDate, presigned: true);
    }

    private static SigV4Authorization Build(string credential, string signedHeaders, string signature, string amzDate, bool presigned)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[0].Length == 0)
        {
            throw new FormatException($"Credential '{credential}' is not of the form AKID/date/region/service/aws4_request.");
        }

        return new SigV4Authorization
        {
            AccessKeyId = scope[0],
            Date = scope[1],
            Region = scope[2],
            Service = scope[3],
            SignedHeaders = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(h => h.Trim().ToLowerInvariant()).ToArray(),
            Signature = signature.ToLowerInvariant(),
            AmzDate = amzDate,
            Presigned = presigned,
        };
    }

    private static string? FromHttpDate(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
            : null;
}
