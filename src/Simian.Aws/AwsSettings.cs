namespace Simian.Aws;

/// <summary>
/// The scalar settings of a <c>providers.aws</c> block. They are all the journal keeps, so they must be enough
/// for <c>simian recover</c> to rebuild the clients after a crash.
/// </summary>
internal sealed record AwsSettings(string? Region, string? Profile, string? Endpoint)
{
    public const string RegionKey = "region";
    public const string ProfileKey = "profile";
    public const string EndpointKey = "endpoint";
    public const string FaultTtlKey = "faultTtl";

    /// <summary>How long a fault with a server-side expiry (bucket-deny) lasts past its last renewal when simian dies.</summary>
    public static readonly TimeSpan DefaultFaultTtl = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MinFaultTtl = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxFaultTtl = TimeSpan.FromDays(7);

    public static readonly IReadOnlyList<string> Keys = [RegionKey, ProfileKey, EndpointKey, FaultTtlKey];

    public static TimeSpan FaultTtl(IReadOnlyDictionary<string, string> values) =>
        values.TryGetValue(FaultTtlKey, out var text) && Simian.Core.Profiles.Duration.TryParse(text, out var ttl, out _) ? ttl : DefaultFaultTtl;

    public static AwsSettings From(IReadOnlyDictionary<string, string> values) =>
        new(Value(values, RegionKey), Value(values, ProfileKey), Value(values, EndpointKey));

    private static string? Value(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
}
