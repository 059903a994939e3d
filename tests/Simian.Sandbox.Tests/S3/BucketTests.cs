using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.S3;

public sealed class BucketTests
{
    [Fact]
    public async Task Created_buckets_are_listed_headed_and_deleted()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();

        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "chaos-logs" });
        var listed = await s3.ListBucketsAsync(new ListBucketsRequest());
        var head = await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = "chaos-logs" });
        await s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "chaos-logs" });

        Assert.Equal(["chaos-logs"], listed.Buckets.Select(b => b.BucketName));
        Assert.Equal(HttpStatusCode.OK, head.HttpStatusCode);
        Assert.Empty(sandbox.State.BucketNames());
    }

    [Fact]
    public async Task Fleet_buckets_exist_from_the_start_with_their_objects()
    {
        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Objects = { ["index.html"] = "<h1>hi</h1>" } });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);

        using var response = await sandbox.S3().GetObjectAsync(new GetObjectRequest { BucketName = "site-assets", Key = "index.html" });
        using var reader = new StreamReader(response.ResponseStream);

        Assert.Equal("<h1>hi</h1>", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_missing_bucket_is_NoSuchBucket()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            sandbox.S3().ListObjectsV2Async(new ListObjectsV2Request { BucketName = "no-such-bucket" }));

        Assert.Equal("NoSuchBucket", error.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_bucket_with_objects_is_BucketNotEmpty()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "full-bucket" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "full-bucket", Key = "a", ContentBody = "x" });

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "full-bucket" }));

        Assert.Equal("BucketNotEmpty", error.ErrorCode);
    }

    [Fact]
    public async Task Creating_an_existing_bucket_is_BucketAlreadyOwnedByYou()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "twice" });

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = "twice" }));

        Assert.Equal("BucketAlreadyOwnedByYou", error.ErrorCode);
    }

    [Fact]
    public async Task Tags_round_trip_and_an_untagged_bucket_is_NoSuchTagSet()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "tagged" });

        var untagged = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "tagged" }));
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest
        {
            BucketName = "tagged",
            TagSet = [new Tag { Key = "chaos", Value = "opt-in" }, new Tag { Key = "team", Value = "sre" }],
        });
        var tags = await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "tagged" });
        await s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = "tagged" });

        Assert.Equal("NoSuchTagSet", untagged.ErrorCode);
        Assert.Equal(["chaos=opt-in", "team=sre"], tags.TagSet.Select(t => $"{t.Key}={t.Value}"));
        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "tagged" }));
    }

    [Fact]
    public async Task Fleet_bucket_tags_are_served()
    {
        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Tags = { ["chaos"] = "opt-in" } });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);

        var tags = await sandbox.S3().GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "site-assets" });

        Assert.Equal("opt-in", tags.TagSet.Single(t => t.Key == "chaos").Value);
    }

    [Fact]
    public async Task Bucket_location_is_empty_for_us_east_1()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "located" });

        var location = await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "located" });

        Assert.True(location.Location is null || location.Location.Value is "" or "us-east-1");
    }
}
