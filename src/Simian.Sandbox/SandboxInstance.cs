namespace Simian.Sandbox;

/// <summary>A snapshot of one instance, for assertions and the state dump.</summary>
public sealed record SandboxInstance(
    string Id,
    string State,
    string Type,
    string Zone,
    bool Spot,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset LaunchTime,
    int RebootCount)
{
    /// <summary>The subnet it is in.</summary>
    public string SubnetId { get; init; } = "";
}
