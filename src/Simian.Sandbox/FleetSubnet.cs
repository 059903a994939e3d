namespace Simian.Sandbox;

/// <summary>
/// A subnet the sandbox starts with. Subnets the fleet's instances name (by default one per zone, subnet-ZONE) exist
/// without being listed; listing one gives it tags (chaos: opt-in), a CIDR or another VPC.
/// </summary>
public sealed class FleetSubnet
{
    public required string Id { get; set; }

    public required string Zone { get; set; }

    public string VpcId { get; set; } = FleetInstance.DefaultVpcId;

    /// <summary>Defaults to the next free /24 of 10.0.0.0/16.</summary>
    public string? Cidr { get; set; }

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
}
