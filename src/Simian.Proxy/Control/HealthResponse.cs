namespace Simian.Proxy;

/// <summary>Body of GET /health.</summary>
internal sealed record HealthResponse(string Status);
