using Simian.Aws.Clients;
using Simian.Aws.Ec2;
using Simian.Aws.S3;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws;

/// <summary>
/// The <c>aws</c> provider: EC2 instances and S3 buckets. Settings (all optional): <c>region</c>, <c>profile</c>,
/// <c>endpoint</c> (an AWS-compatible endpoint such as a local sandbox).
/// </summary>
public sealed class AwsProvider : IProvider
{
    /// <param name="time">Drives retry backoff, timeouts and state polling.</param>
    /// <param name="env">Reads AWS_* environment variables (region, keys, profile, shared credentials file).</param>
    /// <param name="options">Client factory and retry tuning; defaults suit real AWS.</param>
    public AwsProvider(TimeProvider time, Func<string, string?> env, AwsProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(env);
        var sessions = new AwsSessions(time, env, options ?? new AwsProviderOptions());
        TargetTypes = [new Ec2InstanceTargetType(sessions), new Ec2SubnetTargetType(sessions), new S3BucketTargetType(sessions), new AutoScaling.AutoScalingGroupTargetType(sessions)];
    }

    public string Name => "aws";

    public IReadOnlyCollection<string> SettingKeys => AwsSettings.Keys.ToArray();

    public IReadOnlyList<ITargetType> TargetTypes { get; }

    public void ValidateSettings(ProviderSettings settings, DiagnosticBag diagnostics)
    {
        if (settings.Node is null) return;
        var r = new MapReader(settings.Node, diagnostics, "providers.aws", AwsSettings.Keys.ToArray());
        var region = r.String(AwsSettings.RegionKey);
        if (region is not null && !IsRegionName(region))
        {
            diagnostics.Error(r.Raw(AwsSettings.RegionKey)!.Location, $"region '{region}' is not an AWS region name (e.g. us-east-1)");
        }
        // Under a minute, clock skew between this machine and S3 could end the deny before it begins.
        r.Duration(AwsSettings.FaultTtlKey, min: AwsSettings.MinFaultTtl, max: AwsSettings.MaxFaultTtl);
        var profile = r.String(AwsSettings.ProfileKey);
        if (profile is { Length: 0 }) diagnostics.Error(r.Raw(AwsSettings.ProfileKey)!.Location, "profile must not be empty");
        var endpoint = r.String(AwsSettings.EndpointKey);
        if (endpoint is not null
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            diagnostics.Error(r.Raw(AwsSettings.EndpointKey)!.Location, $"endpoint '{Redaction.Url(endpoint)}' is not an http(s) URL");
        }
    }

    private static bool IsRegionName(string region) =>
        region.Length is >= 4 and <= 32 && region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && region.Contains('-', StringComparison.Ordinal) && char.IsAsciiDigit(region[^1]);
}
