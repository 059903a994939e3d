namespace Simian.Proxy;

/// <summary>A toxic applied to a proxy: its behaviour plus the bookkeeping the server needs (stream, TTL, expiry).</summary>
internal sealed class ActiveToxic
{
    public ActiveToxic(string name, string type, ToxicStream stream, IToxic behaviour, IReadOnlyDictionary<string, double> attributes)
    {
        Name = name;
        Type = type;
        Stream = stream;
        Behaviour = behaviour;
        Attributes = attributes;
    }

    public string Name { get; }

    public string Type { get; }

    public ToxicStream Stream { get; }

    public IToxic Behaviour { get; }

    public IReadOnlyDictionary<string, double> Attributes { get; }

    /// <summary>Changed only under the server's lock, by heartbeats.</summary>
    public long TtlMs { get; set; }

    /// <summary>Changed only under the server's lock, by heartbeats.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public ToxicInfo ToInfo() => new(Name, Type, Stream, TtlMs, Attributes, ExpiresAt);
}
