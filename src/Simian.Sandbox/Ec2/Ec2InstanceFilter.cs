using System.Globalization;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.Ec2;

/// <summary>
/// DescribeInstances filters: different filters must all match, the values of one filter are alternatives,
/// and values may use EC2's <c>*</c> and <c>?</c> wildcards.
/// </summary>
internal static class Ec2InstanceFilter
{
    public static readonly IReadOnlyList<string> Known =
    [
        "tag:<key>", "tag-key", "tag-value", "instance-state-name", "instance-state-code", "availability-zone",
        "instance-type", "vpc-id", "subnet-id", "instance-id", "instance-lifecycle", "image-id", "private-ip-address",
        "reservation-id",
    ];

    public static Func<Ec2Instance, bool> Compile(IReadOnlyList<(string Name, IReadOnlyList<string> Values)> filters)
    {
        var tests = filters.Select(f => Compile(f.Name, f.Values)).ToList();
        return instance => tests.TrueForAll(test => test(instance));
    }

    private static Func<Ec2Instance, bool> Compile(string name, IReadOnlyList<string> values)
    {
        if (name.StartsWith("tag:", StringComparison.Ordinal))
        {
            var key = name[4..];
            return i => i.Tag(key) is { } value && Any(values, value);
        }

        Func<Ec2Instance, string?> field = name switch
        {
            "instance-state-name" => i => InstanceStates.Name(i.State),
            "instance-state-code" => i => ((int)i.State).ToString(CultureInfo.InvariantCulture),
            "availability-zone" => i => i.Zone,
            "instance-type" => i => i.Type,
            "vpc-id" => i => i.VpcId,
            "subnet-id" => i => i.SubnetId,
            "instance-id" => i => i.Id,
            "instance-lifecycle" => i => i.Spot ? "spot" : null,
            "image-id" => i => i.ImageId,
            "private-ip-address" => i => i.PrivateIpAddress,
            "reservation-id" => i => i.ReservationId,
            "tag-key" => null!,
            "tag-value" => null!,
            _ => throw Ec2Errors.InvalidParameterValue(
                $"The filter '{name}' is invalid; the sandbox knows: {string.Join(", ", Known)}"),
        };

        return name switch
        {
            "tag-key" => i => i.Tags.Any(t => Any(values, t.Key)),
            "tag-value" => i => i.Tags.Any(t => Any(values, t.Value)),
            _ => i => field(i) is { } value && Any(values, value),
        };
    }

    private static bool Any(IReadOnlyList<string> patterns, string value)
    {
        foreach (var pattern in patterns)
        {
            if (Wildcard.IsMatch(pattern, value, ignoreCase: false))
            {
                return true;
            }
        }

        return false;
    }
}
