using System.Text;
using Simian.Sandbox.Ec2;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox;

/// <summary>The checks a fleet must pass, shared by the YAML reader (which adds locations) and <see cref="Fleet.Validate"/>.</summary>
internal static class FleetRules
{
    public const int MaxGeneratedPerBlock = 1_000_000;

    public static string? AccountError(string account) =>
        account.Length == 12 && account.All(char.IsAsciiDigit) ? null : $"account '{account}' must be 12 digits";

    public static string? StateError(string state) =>
        InstanceStates.TryParse(state, out _) ? null
            : $"unknown instance state '{state}'; known states: {string.Join(", ", InstanceStates.Names)}";

    public static string? InstanceIdError(string id) =>
        id.StartsWith("i-", StringComparison.Ordinal) && id.Length > 2 ? null : $"instance id '{id}' must start with 'i-'";

    public static string? CountError(int count) =>
        count is >= 0 and <= MaxGeneratedPerBlock ? null : $"count must be between 0 and {MaxGeneratedPerBlock}";

    /// <summary>What CreateAutoScalingGroup would refuse: sizes out of order, unknown processes or health check types.</summary>
    public static string? GroupError(FleetAutoScalingGroup group)
    {
        if (group.Name.Length is 0 or > 255) return "Auto Scaling group name must be 1 to 255 characters";
        var unknown = group.SuspendedProcesses.FirstOrDefault(p => !AutoScaling.AutoScalingModel.Processes.Contains(p, StringComparer.Ordinal));
        if (unknown is not null)
        {
            return $"group '{group.Name}': unknown process '{unknown}'; known processes: {string.Join(", ", AutoScaling.AutoScalingModel.Processes)}";
        }

        if (group.HealthCheckType is not ("EC2" or "ELB")) return $"group '{group.Name}': healthCheckType must be EC2 or ELB";
        if (group.HealthCheckGracePeriod < 0) return $"group '{group.Name}': healthCheckGracePeriod must not be negative";
        var min = group.MinSize ?? 0;
        if (group.MaxSize is { } max && min > max) return $"group '{group.Name}': minSize {min} is above maxSize {max}";
        if (group.DesiredCapacity is { } desired && (desired < min || (group.MaxSize is { } m && desired > m)))
        {
            return $"group '{group.Name}': desiredCapacity {desired} must be between minSize and maxSize";
        }

        return null;
    }

    public static string? BucketNameError(string name)
    {
        var valid = name.Length is >= 3 and <= 63
            && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-')
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && !name.Contains("..", StringComparison.Ordinal);
        return valid ? null : $"bucket name '{name}' is not a valid S3 bucket name";
    }

    public static string? PolicyError(string policy, string? bucket = null)
    {
        try
        {
            BucketPolicy.Parse(Encoding.UTF8.GetBytes(policy), bucket);
            return null;
        }
        catch (MalformedPolicyException e)
        {
            return $"invalid bucket policy: {e.Message}";
        }
    }
}
