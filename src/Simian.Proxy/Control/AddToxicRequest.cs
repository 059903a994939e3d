namespace Simian.Proxy;

/// <summary>Body of POST /proxies/{name}/toxics.</summary>
internal sealed record AddToxicRequest(
    string? Name,
    string? Type,
    string? Stream,
    long? TtlMs,
    Dictionary<string, double>? Attributes);
