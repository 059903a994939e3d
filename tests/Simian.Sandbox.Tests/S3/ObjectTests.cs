using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.S3;

public sealed class ObjectTests
{
    private static async Task<(SandboxHarness Sandbox, AmazonS3Client S3)> WithBucketAsync()
    {
        var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "objects" });
        return (sandbox, s3);
    }

    private static async Task<string> ReadAsync(AmazonS3Client s3, string key)
    {
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "objects", Key = key });
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task An_object_put_through_the_sdk_streams_back_byte_for_byte()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "objects", Key = "a b/c+d.txt", ContentBody = "hello world" });

        Assert.Equal("hello world", await ReadAsync(s3, "a b/c+d.txt"));
        Assert.Equal("hello world"u8.ToArray(), sandbox.State.ObjectContent("objects", "a b/c+d.txt"));
    }

    [Fact]
    public async Task Large_binary_bodies_survive_aws_chunked_encoding()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        var data = new byte[300_000];
        new Random(7).NextBytes(data);

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "objects", Key = "blob.bin", InputStream = new MemoryStream(data) });
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "objects", Key = "blob.bin" });
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);

        Assert.Equal(data, copy.ToArray());
        Assert.Equal(data, sandbox.State.ObjectContent("objects", "blob.bin"));
    }

    [Fact]
    public async Task Head_object_reports_length_type_and_metadata()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        var put = new PutObjectRequest { BucketName = "objects", Key = "page.html", ContentBody = "<p>x</p>", ContentType = "text/html" };
        put.Metadata.Add("owner", "sre");
        var putResponse = await s3.PutObjectAsync(put);

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "objects", Key = "page.html" });

        Assert.Equal(8, head.ContentLength);
        Assert.Equal("text/html", head.Headers.ContentType);
        Assert.Equal("sre", head.Metadata["owner"]);
        Assert.Equal(putResponse.ETag, head.ETag);
    }

    [Fact]
    public async Task A_missing_key_is_NoSuchKey_and_a_missing_head_is_404()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = "objects", Key = "nope" }));
        var head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "objects", Key = "nope" }));

        Assert.Equal("NoSuchKey", get.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Deleted_objects_are_gone()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "objects", Key = "doomed", ContentBody = "x" });

        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "objects", Key = "doomed" });

        Assert.Empty(sandbox.State.ObjectKeys("objects"));
    }

    [Fact]
    public async Task Ranged_gets_return_the_slice()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "objects", Key = "digits", ContentBody = "0123456789" });

        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "objects", Key = "digits", ByteRange = new ByteRange(2, 5) });
        using var reader = new StreamReader(response.ResponseStream);

        Assert.Equal("2345", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_presigned_url_works_and_a_tampered_one_is_refused()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "objects", Key = "shared.txt", ContentBody = "shared" });
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = "objects",
            Key = "shared.txt",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Protocol = Protocol.HTTP,
        });
        using var http = new HttpClient();

        var good = await http.GetAsync(url);
        var bad = await http.GetAsync(url.Replace("shared.txt", "shared.txT", StringComparison.Ordinal));

        Assert.Equal("shared", await good.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, bad.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_presigned_url_is_refused()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await SandboxHarness.StartAsync(configure: o => new SandboxOptions { Fleet = o.Fleet, TimeProvider = clock });
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "objects" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "objects", Key = "shared.txt", ContentBody = "shared" });
        clock.Advance(TimeSpan.FromHours(1));
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = "objects",
            Key = "shared.txt",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Protocol = Protocol.HTTP,
        });
        using var http = new HttpClient();

        var response = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Request has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_does_not_match_its_checksum_is_BadDigest()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, sandbox.Endpoint + "/objects/k")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("payload")),
        };
        request.Headers.Add("x-amz-checksum-crc32", "AAAAAA==");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<Code>BadDigest</Code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
