namespace Simian.Sandbox;

/// <summary>One S3 bucket the sandbox starts with.</summary>
public sealed class FleetBucket
{
    public required string Name { get; set; }

    /// <summary>The bucket policy document, stored and returned byte for byte.</summary>
    public string? Policy { get; set; }

    /// <summary>The owning account; defaults to the fleet's. Another account's bucket is not listed by ListBuckets.</summary>
    public string? Owner { get; set; }

    /// <summary>Block Public Access on this existing bucket (default off; buckets created through the API start with it on).</summary>
    public bool BlockPublicAccess { get; set; }

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>Object keys and their UTF-8 content.</summary>
    public Dictionary<string, string> Objects { get; } = new(StringComparer.Ordinal);
}
