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

    public static string? BucketNameError(string name)
    {
        var valid = name.Length is >= 3 and <= 63
            && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-')
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && !name.Contains("..", StringComparison.Ordinal);
        return valid ? null : $"bucket name '{name}' is not a valid S3 bucket name";
    }

    public static string? PolicyError(string policy)
    {
        try
        {
            BucketPolicy.Parse(Encoding.UTF8.GetBytes(policy));
            return null;
        }
        catch (MalformedPolicyException e)
        {
            return $"invalid bucket policy: {e.Message}";
        }
    }
}
