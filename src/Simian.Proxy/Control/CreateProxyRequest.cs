namespace Simian.Proxy;

/// <summary>Body of POST /proxies; fields are nullable so a missing one is reported by name rather than as bad JSON.</summary>
internal sealed record CreateProxyRequest(string? Name, string? Listen, string? Upstream);
