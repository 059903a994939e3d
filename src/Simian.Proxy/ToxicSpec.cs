namespace Simian.Proxy;

/// <summary>What a caller asks for when adding a toxic; attribute names carry their unit (delayMs, bytesPerSecond).</summary>
public sealed record ToxicSpec(
    string Name,
    string Type,
    ToxicStream Stream,
    long TtlMs,
    IReadOnlyDictionary<string, double>? Attributes = null);
