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

    public static readonly IReadOnlyList<string> Keys = [RegionKey, ProfileKey, EndpointKey];

    public static AwsSettings From(IReadOnlyDictionary<string, string> values) =>
        new(Value(values, RegionKey), Value(values, ProfileKey), Value(values, EndpointKey));

    private static string? Value(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
}
