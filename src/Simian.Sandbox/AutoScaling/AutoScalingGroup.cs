using Simian.Sandbox.Ec2;

namespace Simian.Sandbox.AutoScaling;

/// <summary>One group's live state; touched only under the instance store's lock.</summary>
internal sealed class AutoScalingGroup
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required int MinSize { get; set; }

    public required int MaxSize { get; set; }

    public required int DesiredCapacity { get; set; }

    /// <summary>The zones it launches into: those of its subnets.</summary>
    public required List<string> Zones { get; set; }

    /// <summary>Its VPCZoneIdentifier, in the order given; subnet-ZONE for each zone unless changed by UpdateAutoScalingGroup.</summary>
    public List<string>? Subnets { get; set; }

    public IReadOnlyList<string> SubnetIds => Subnets ?? [.. Zones.Select(z => "subnet-" + z)];

    public required string HealthCheckType { get; set; }

    public required int HealthCheckGracePeriod { get; set; }

    public required DateTimeOffset CreatedTime { get; init; }

    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>Suspended processes in the order they were suspended, with AWS's reason text.</summary>
    public List<(string Process, string Reason)> Suspended { get; } = [];

    public List<Member> Members { get; } = [];

    public List<Activity> Activities { get; } = [];

    /// <summary>What a replacement is launched like: the group's launch template, as far as the sandbox models one.</summary>
    public Ec2Instance? Template { get; set; }

    public bool IsSuspended(string process) => Suspended.Exists(s => s.Process == process);

    /// <summary>Members that count toward the desired capacity (Pending and InService; not Standby, not Terminating).</summary>
    public int Capacity => Members.Count(m => m.Lifecycle is LifecycleState.Pending or LifecycleState.InService);
}

internal enum LifecycleState
{
    Pending,
    InService,
    Standby,
    Terminating,
}

/// <summary>An instance in a group: its lifecycle state and the health Auto Scaling has recorded.</summary>
internal sealed class Member(Ec2Instance instance, LifecycleState lifecycle)
{
    public Ec2Instance Instance { get; } = instance;

    public LifecycleState Lifecycle { get; set; } = lifecycle;

    public bool Healthy { get; set; } = true;

    /// <summary>Why the instance was found unhealthy, as the activity's Cause says it.</summary>
    public string? UnhealthyCause { get; set; }

    public static string Name(LifecycleState state) => state switch
    {
        LifecycleState.Pending => "Pending",
        LifecycleState.InService => "InService",
        LifecycleState.Standby => "Standby",
        _ => "Terminating",
    };
}

/// <summary>One scaling activity (DescribeScalingActivities).</summary>
internal sealed record Activity(
    string Id, string GroupName, string Description, string Cause, DateTimeOffset Start, DateTimeOffset? End, string Status, string Details);
