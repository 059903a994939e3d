namespace Simian.Sandbox;

/// <summary>
/// One Auto Scaling group the sandbox starts with. Its members are the instances tagged
/// <c>aws:autoscaling:groupName</c> with its name; a tag naming a group the fleet does not list makes one with
/// the API's defaults (min 0, max and desired = its members, grace period 0, EC2 health checks).
/// </summary>
public sealed class FleetAutoScalingGroup
{
    public required string Name { get; set; }

    public int? MinSize { get; set; }

    public int? MaxSize { get; set; }

    /// <summary>Defaults to the number of members that are not terminated.</summary>
    public int? DesiredCapacity { get; set; }

    /// <summary>Defaults to the members' zones.</summary>
    public List<string> Zones { get; } = [];

    /// <summary>Seconds after launch before health checks count (CreateAutoScalingGroup's default: 0).</summary>
    public int HealthCheckGracePeriod { get; set; }

    /// <summary>EC2 or ELB; the sandbox models EC2 status checks only.</summary>
    public string HealthCheckType { get; set; } = "EC2";

    /// <summary>Processes already suspended when the sandbox starts (e.g. Launch, HealthCheck).</summary>
    public List<string> SuspendedProcesses { get; } = [];

    /// <summary>The group's own tags (DescribeAutoScalingGroups' Tags).</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
}
