using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.S3;

/// <summary>
/// S3's conditional writes and deletes, the primitive team-wide locks are built on:
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html (If-None-Match: * creates only; If-Match:
/// ETAG replaces only that version; 412 PreconditionFailed; 409 ConditionalRequestConflict for a multipart upload whose
/// key changed meanwhile), https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html (If-Match on
/// DeleteObject, which with an ETag also needs s3:GetObject) and
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (If-None-Match takes only '*').
/// </summary>
public sealed class ConditionalRequestTests(ITestOutputHelper output)
{
    private static async Task<(SandboxHarness Sandbox, AmazonS3Client S3)> WithBucketAsync()
    {
        var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "state" });
        return (sandbox, s3);
    }

    [Fact]
    public async Task If_none_match_creates_once_and_the_second_writer_gets_412()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var first = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "locks/a", ContentBody = "first", IfNoneMatch = "*" });
        Assert.Equal(HttpStatusCode.OK, first.HttpStatusCode);
        var second = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "locks/a", ContentBody = "second", IfNoneMatch = "*" }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal("PreconditionFailed", second.ErrorCode);
        Assert.Equal("first"u8.ToArray(), sandbox.State.ObjectContent("state", "locks/a"));
    }

    [Fact]
    public async Task Of_many_racing_creators_exactly_one_wins()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var attempts = Enumerable.Range(0, 16).Select(async i =>
        {
            try
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "locks/race", ContentBody = $"writer {i}", IfNoneMatch = "*" });
                return 1;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return 0;
            }
        });
        Assert.Equal(1, (await Task.WhenAll(attempts)).Sum());
    }

    [Fact]
    public async Task If_match_replaces_only_the_version_it_names()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var v1 = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "lock", ContentBody = "v1" });
        var v2 = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "lock", ContentBody = "v2", IfMatch = v1.ETag });
        Assert.NotEqual(v1.ETag, v2.ETag);

        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "lock", ContentBody = "v3", IfMatch = v1.ETag }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("v2"u8.ToArray(), sandbox.State.ObjectContent("state", "lock"));

        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "nothing-here", ContentBody = "x", IfMatch = v1.ETag }));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
    }

    [Fact]
    public async Task A_conditional_delete_removes_only_the_version_it_names()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var mine = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "lock", ContentBody = "mine" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "lock", ContentBody = "taken over" });
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "state", Key = "lock", IfMatch = mine.ETag }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("taken over"u8.ToArray(), sandbox.State.ObjectContent("state", "lock"));

        var current = await s3.GetObjectMetadataAsync("state", "lock");
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "state", Key = "lock", IfMatch = current.ETag });
        Assert.Null(sandbox.State.ObjectContent("state", "lock"));
    }

    [Fact]
    public async Task A_conditional_multipart_upload_whose_key_was_written_meanwhile_gets_409()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "state", Key = "big" });
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = "state", Key = "big", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream("part"u8.ToArray()),
        });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "big", ContentBody = "someone else" });
        var conflict = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "state", Key = "big", UploadId = upload.UploadId, IfNoneMatch = "*",
            PartETags = [new PartETag(1, part.ETag)],
        }));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("ConditionalRequestConflict", conflict.ErrorCode);
        Assert.Equal("someone else"u8.ToArray(), sandbox.State.ObjectContent("state", "big"));
    }

    [Fact]
    public async Task What_S3_does_not_document_is_refused_not_ignored()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "k", ContentBody = "v" });
        var etag = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.PutObjectAsync(new PutObjectRequest { BucketName = "state", Key = "k", ContentBody = "w", IfNoneMatch = "\"abc\"" }));
        Assert.Equal(HttpStatusCode.NotImplemented, etag.StatusCode);
        var since = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.GetObjectAsync(new GetObjectRequest { BucketName = "state", Key = "k", ModifiedSinceDate = DateTime.UtcNow.AddDays(-1) }));
        Assert.Equal(HttpStatusCode.NotImplemented, since.StatusCode);
        Assert.Equal("v"u8.ToArray(), sandbox.State.ObjectContent("state", "k"));
    }

    /// <summary>
    /// Debian's boto3 predates the conditional-write parameters, so the headers are added before signing, as any
    /// client may: the sandbox answers what S3 answers to the raw protocol.
    /// </summary>
    [ToolFact(Tools.Boto3)]
    public async Task Boto3_sees_the_same_conditional_answers()
    {
        if (Boto3.Missing() is { } missing)
        {
            output.WriteLine(missing);
            return;
        }

        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.S3().PutBucketAsync(new PutBucketRequest { BucketName = "state" });
        var result = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
            s3 = client("s3")
            headers = {}
            def add(request, **kwargs):
                for k, v in headers.items():
                    request.headers[k] = v
            s3.meta.events.register("before-sign.s3.*", add)
            headers.update({"If-None-Match": "*"})
            created = s3.put_object(Bucket="state", Key="lock", Body=b"one")["ETag"]
            again = error(lambda: s3.put_object(Bucket="state", Key="lock", Body=b"two"))
            headers.clear(); headers.update({"If-Match": created})
            renewed = s3.put_object(Bucket="state", Key="lock", Body=b"three")["ETag"]
            stale = error(lambda: s3.put_object(Bucket="state", Key="lock", Body=b"four"))
            staleDelete = error(lambda: s3.delete_object(Bucket="state", Key="lock"))
            headers.clear(); headers.update({"If-Match": renewed})
            deleted = s3.delete_object(Bucket="state", Key="lock")["ResponseMetadata"]["HTTPStatusCode"]
            headers.clear()
            result = {"again": again, "stale": stale, "staleDelete": staleDelete, "deleted": deleted}
            """);
        foreach (var name in new[] { "again", "stale", "staleDelete" })
        {
            Assert.Equal("PreconditionFailed", result.GetProperty(name).GetProperty("Code").GetString());
            Assert.Equal(412, result.GetProperty(name).GetProperty("Status").GetInt32());
        }

        Assert.Equal(204, result.GetProperty("deleted").GetInt32());
        Assert.Null(sandbox.State.ObjectContent("state", "lock"));
    }
}
