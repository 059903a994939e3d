namespace Simian.Sandbox.Http;

/// <summary>One HTTP request as the sandbox sees it: raw target for signing, decoded parts for handling.</summary>
internal sealed class SandboxRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoTrailers =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public SandboxRequest(string method, string rawTarget, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Method = method.ToUpperInvariant();
        RawTarget = string.IsNullOrEmpty(rawTarget) ? "/" : rawTarget;
        var q = RawTarget.IndexOf('?');
        RawPath = q < 0 ? RawTarget : RawTarget[..q];
        RawQuery = q < 0 ? "" : RawTarget[(q + 1)..];
        Path = Uri.UnescapeDataString(RawPath);
        Query = QueryString.Parse(RawQuery, plusIsSpace: false);
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    /// <summary>The request target exactly as received (path and query, still percent-encoded).</summary>
    public string RawTarget { get; }

    public string RawPath { get; }

    public string RawQuery { get; }

    /// <summary>The percent-decoded path.</summary>
    public string Path { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }

    /// <summary>Headers by case-insensitive name; repeated headers are joined with commas.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The payload, already decoded from aws-chunked framing when the client used it.</summary>
    public byte[] Body { get; set; }

    /// <summary>Trailing headers sent after an aws-chunked body (e.g. x-amz-checksum-crc32).</summary>
    public IReadOnlyDictionary<string, string> Trailers { get; set; } = NoTrailers;

    public bool IsHead => Method == "HEAD";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name)
    {
        foreach (var pair in Query)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }

    public bool HasQuery(string name) => Query.Any(p => p.Key == name);

    /// <summary>A header or, failing that, a trailer: checksums may arrive either way.</summary>
    public string? HeaderOrTrailer(string name) =>
        Header(name) ?? (Trailers.TryGetValue(name, out var value) ? value : null);

    public static IReadOnlyDictionary<string, string> HeaderMap(params (string Name, string Value)[] headers)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            map[name] = map.TryGetValue(name, out var existing) ? existing + "," + value : value;
        }

        return map;
    }
}
