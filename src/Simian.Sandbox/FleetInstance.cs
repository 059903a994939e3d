namespace Simian.Sandbox;

/// <summary>One EC2 instance the sandbox starts with.</summary>
public sealed class FleetInstance
{
    /// <summary>The VPC instances and subnets are in unless they say otherwise.</summary>
    public const string DefaultVpcId = "vpc-0sandbox0000000001";

    public required string Id { get; set; }

    public string Type { get; set; } = "t3.micro";

    /// <summary>Defaults to the fleet's region followed by "a".</summary>
    public string? Zone { get; set; }

    /// <summary>pending, running, stopping, stopped, shutting-down or terminated.</summary>
    public string State { get; set; } = "running";

    public bool Spot { get; set; }

    public string VpcId { get; set; } = DefaultVpcId;

    /// <summary>Defaults to a subnet named after the zone.</summary>
    public string? SubnetId { get; set; }

    public string ImageId { get; set; } = "ami-0sandbox0000000001";

    /// <summary>Defaults to a deterministic 10.x.y.z address.</summary>
    public string? PrivateIpAddress { get; set; }

    /// <summary>
    /// The reservation (r-…) the instance was launched in; instances naming the same one are listed together, as
    /// DescribeInstances lists instances launched by one RunInstances call. Defaults to one of its own.
    /// </summary>
    public string? ReservationId { get; set; }

    /// <summary>Defaults to the fleet's launch time.</summary>
    public DateTimeOffset? LaunchTime { get; set; }

    /// <summary>Tags in the order they are listed (kept in that order in tagSet).</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
}
