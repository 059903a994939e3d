namespace Simian.Proxy;

/// <summary>Optional body of POST .../heartbeat; without TtlMs the toxic keeps its current TTL.</summary>
internal sealed record HeartbeatRequest(long? TtlMs);
