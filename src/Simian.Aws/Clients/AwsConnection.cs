using Amazon.Runtime;

namespace Simian.Aws.Clients;

/// <summary>Where and as whom to call AWS: resolved credentials, the region, and an optional AWS-compatible endpoint.</summary>
public sealed record AwsConnection(AWSCredentials Credentials, string Region, Uri? Endpoint, TimeSpan HttpTimeout)
{
    /// <summary>How the connection is named in messages: the endpoint, or "AWS in REGION".</summary>
    public string Describe() => Endpoint is { } e ? $"endpoint {e}" : $"AWS in {Region}";
}
