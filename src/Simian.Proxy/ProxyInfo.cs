namespace Simian.Proxy;

/// <summary>A snapshot of one named proxy; Listen is the bound endpoint, so a requested port 0 shows the real port.</summary>
public sealed record ProxyInfo(
    string Name,
    string Listen,
    string Upstream,
    IReadOnlyList<ToxicInfo> Toxics);
