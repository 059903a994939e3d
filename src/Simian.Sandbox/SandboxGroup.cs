namespace Simian.Sandbox;

/// <summary>A snapshot of one Auto Scaling group, for assertions and the state dump.</summary>
public sealed record SandboxGroup(
    string Name,
    int MinSize,
    int MaxSize,
    int DesiredCapacity,
    IReadOnlyList<string> SuspendedProcesses,
    IReadOnlyList<SandboxGroupMember> Instances,
    IReadOnlyList<string> Activities)
{
    /// <summary>Its VPCZoneIdentifier: the subnets it launches into.</summary>
    public IReadOnlyList<string> Subnets { get; init; } = [];
}

/// <summary>One instance of a group: its id, lifecycle state (InService, Standby, ...) and health (Healthy, Unhealthy).</summary>
public sealed record SandboxGroupMember(string Id, string LifecycleState, string HealthStatus);
