using Simian.Sandbox.Policy;

namespace Simian.Sandbox.S3;

/// <summary>A bucket and everything stored with it; guarded by the bucket store's lock.</summary>
internal sealed class S3Bucket
{
    public S3Bucket(string name, string region, DateTimeOffset creationDate)
    {
        Name = name;
        Region = region;
        CreationDate = creationDate;
    }

    public string Name { get; }

    public string Region { get; }

    public DateTimeOffset CreationDate { get; }

    public SortedDictionary<string, S3Object> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Null when the bucket has no tag set (GetBucketTagging then answers NoSuchTagSet).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Tags { get; set; }

    public BucketPolicy? Policy { get; set; }

    /// <summary>The owning account (what x-amz-expected-bucket-owner is checked against).</summary>
    public string Owner { get; init; } = "";

    /// <summary>The bucket's Block Public Access settings (on for buckets created through the API, as on AWS).</summary>
    public PublicAccessBlock PublicAccess { get; set; } = PublicAccessBlock.Off;
}

/// <summary>S3 Block Public Access, per bucket: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html</summary>
internal sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    public static PublicAccessBlock Off { get; } = new(false, false, false, false);

    public static PublicAccessBlock On { get; } = new(true, true, true, true);
}
