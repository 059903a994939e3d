namespace Simian.Core.Providers;

/// <summary>One thing a target selector matched: an instance, a bucket, a process, a proxy.</summary>
public sealed record Resource
{
    public required string Id { get; init; }
    /// <summary>Human-readable label shown beside the id (a name tag, a command line).</summary>
    public string? Label { get; init; }
    /// <summary>Tags, or null where the resource kind has none (local processes).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    /// <summary>Region, or null where not applicable.</summary>
    public string? Region { get; init; }
    /// <summary>Cloud account, or null where not applicable.</summary>
    public string? Account { get; init; }
    public string? Zone { get; init; }
    /// <summary>
    /// Where the id is unique (a proxy server's control URL, an AWS endpoint, account and region), so that target
    /// locks tell apart two resources with the same id in different places. Empty where the id is unique anyway.
    /// </summary>
    public string Scope { get; init; } = "";
    /// <summary>Why this resource must never be touched (simian's own ancestors, what reads its output), or null.</summary>
    public string? Protected { get; init; }
    /// <summary>Extra facts a fault may need (state, lifecycle, start time); also written to the journal.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    public string? Attribute(string key) => Attributes.TryGetValue(key, out var v) ? v : null;
}
