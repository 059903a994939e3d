namespace Simian.Sandbox.Ec2;

/// <summary>An immutable copy of an instance taken under the store's lock, rendered after it is released.</summary>
internal sealed record InstanceView(
    string Id,
    string ReservationId,
    string ImageId,
    string Type,
    string Zone,
    string VpcId,
    string SubnetId,
    string PrivateIpAddress,
    bool Spot,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    DateTimeOffset LaunchTime,
    InstanceStateName State,
    int RebootCount,
    (string Code, string Message)? StateReason = null);
