namespace Simian.Proxy;

/// <summary>Body of GET /proxies/{name}/toxics.</summary>
internal sealed record ToxicListResponse(IReadOnlyList<ToxicInfo> Toxics);
