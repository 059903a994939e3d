namespace Simian.Proxy;

/// <summary>A toxic as it is currently applied, including when it lapses unless renewed by a heartbeat.</summary>
public sealed record ToxicInfo(
    string Name,
    string Type,
    ToxicStream Stream,
    long TtlMs,
    IReadOnlyDictionary<string, double> Attributes,
    DateTimeOffset ExpiresAt);
