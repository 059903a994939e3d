namespace Simian.Proxy;

/// <summary>Body of GET /proxies; wrapped in an object so fields can be added later without breaking clients.</summary>
internal sealed record ProxyListResponse(IReadOnlyList<ProxyInfo> Proxies);
