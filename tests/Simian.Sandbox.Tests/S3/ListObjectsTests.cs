using Amazon.S3;
using Amazon.S3.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.S3;

public sealed class ListObjectsTests
{
    private static readonly string[] Keys =
        ["logs/2024/a.log", "logs/2024/b.log", "logs/2025/c.log", "logs/readme", "site/index.html", "top.txt"];

    private static async Task<(SandboxHarness, AmazonS3Client)> SeededAsync()
    {
        var fleet = TestFleets.Standard();
        var bucket = new FleetBucket { Name = "listing" };
        foreach (var key in Keys)
        {
            bucket.Objects[key] = key;
        }

        fleet.Buckets.Add(bucket);
        var sandbox = await SandboxHarness.StartAsync(fleet);
        return (sandbox, sandbox.S3());
    }

    [Fact]
    public async Task V2_lists_keys_under_a_prefix_in_order()
    {
        var (sandbox, s3) = await SeededAsync();
        await using var _ = sandbox;

        var response = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "listing", Prefix = "logs/" });

        Assert.Equal(["logs/2024/a.log", "logs/2024/b.log", "logs/2025/c.log", "logs/readme"], response.S3Objects.Select(o => o.Key));
        Assert.Equal(4, response.KeyCount);
        Assert.False(response.IsTruncated);
    }

    [Fact]
    public async Task V2_rolls_keys_up_into_common_prefixes()
    {
        var (sandbox, s3) = await SeededAsync();
        await using var _ = sandbox;

        var response = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "listing", Prefix = "logs/", Delimiter = "/" });

        Assert.Equal(["logs/readme"], response.S3Objects.Select(o => o.Key));
        Assert.Equal(["logs/2024/", "logs/2025/"], response.CommonPrefixes);
    }

    [Fact]
    public async Task V2_pages_with_continuation_tokens_through_prefixes_and_keys()
    {
        var (sandbox, s3) = await SeededAsync();
        await using var _ = sandbox;

        var seen = new List<string>();
        var paginator = s3.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = "listing", Delimiter = "/", MaxKeys = 1 });
        await foreach (var page in paginator.Responses)
        {
            seen.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            seen.AddRange(page.CommonPrefixes ?? []);
        }

        Assert.Equal(["logs/", "site/", "top.txt"], seen);
    }

    [Fact]
    public async Task V1_pages_with_markers()
    {
        var (sandbox, s3) = await SeededAsync();
        await using var _ = sandbox;

        var first = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "listing", MaxKeys = 4 });
        var second = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "listing", MaxKeys = 4, Marker = first.NextMarker });

        Assert.True(first.IsTruncated);
        Assert.Equal(Keys, first.S3Objects.Concat(second.S3Objects).Select(o => o.Key));
        Assert.False(second.IsTruncated);
    }
}
