namespace Simian.Sandbox.Ec2;

/// <summary>One live instance; mutable fields are only touched under the store's lock.</summary>
internal sealed class Ec2Instance
{
    public required string Id { get; init; }

    public required string ReservationId { get; init; }

    public required string ImageId { get; init; }

    public required string Type { get; init; }

    public required string Zone { get; init; }

    public required string VpcId { get; init; }

    public required string SubnetId { get; init; }

    public required string PrivateIpAddress { get; init; }

    public required bool Spot { get; init; }

    public required KeyValuePair<string, string>[] Tags { get; init; }

    public required DateTimeOffset LaunchTime { get; set; }

    public required InstanceStateName State { get; set; }

    /// <summary>The state a transitional state (stopping, pending, shutting-down) settles into.</summary>
    public InstanceStateName? SettlesInto { get; set; }

    public DateTimeOffset SettlesAt { get; set; }

    /// <summary>EC2's StateReason (code, message) for the latest transition, or null.</summary>
    public (string Code, string Message)? StateReason { get; set; }

    /// <summary>The StateReason the pending transition ends with (set once it settles).</summary>
    public (string Code, string Message)? SettlesWithReason { get; set; }

    public int RebootCount { get; set; }

    /// <summary>The Auto Scaling group this instance is a member of, or null.</summary>
    public AutoScaling.AutoScalingGroup? Group { get; set; }

    public void Settle(DateTimeOffset now)
    {
        if (SettlesInto is { } target && now >= SettlesAt)
        {
            State = target;
            SettlesInto = null;
            StateReason = SettlesWithReason;
            SettlesWithReason = null;
        }
    }

    public string? Tag(string key)
    {
        foreach (var tag in Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    public InstanceView View() => new(
        Id, ReservationId, ImageId, Type, Zone, VpcId, SubnetId, PrivateIpAddress, Spot, Tags, LaunchTime, State, RebootCount, StateReason);
}
