using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.S3;

public sealed class BucketPolicyTests
{
    // Odd spacing, key order and a unicode escape: only a byte-for-byte store returns this unchanged.
    private const string QuirkyPolicy =
        "{ \"Version\":\"2012-10-17\",\n  \"Statement\":[{\"Sid\":\"keep\\u0020me\", \"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
        + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::policies/*\"}]   }";

    private static async Task<(SandboxHarness, AmazonS3Client)> WithBucketAsync()
    {
        var sandbox = await SandboxHarness.StartAsync();
        var s3 = sandbox.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "policies" });
        return (sandbox, s3);
    }

    [Fact]
    public async Task Get_returns_the_policy_as_S3_stores_it_without_whitespace_between_tokens()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policies", Policy = QuirkyPolicy });
        var policy = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = "policies" });

        // S3 drops whitespace between tokens; key order, escapes and strings stay as they were put.
        const string Stored = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"keep\\u0020me\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::policies/*\"}]}";
        Assert.Equal(Stored, policy.Policy);
        Assert.Equal(Stored, sandbox.State.BucketPolicy("policies"));
    }

    [Fact]
    public async Task A_bucket_without_a_policy_answers_NoSuchBucketPolicy_which_the_sdk_returns_as_a_404_response_not_an_exception()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        using var http = new HttpClient();

        // Unsigned, the call is anonymous, and nobody granted anonymous callers s3:GetBucketPolicy.
        var raw = await http.GetAsync(sandbox.Endpoint + "/policies?policy");
        var viaSdk = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = "policies" });

        Assert.Equal(HttpStatusCode.Forbidden, raw.StatusCode);
        // AWSSDK.S3 4.x suppresses 404s for GetBucketPolicy: no exception, the status says NotFound and Policy
        // holds the error document. Callers must check HttpStatusCode before trusting Policy.
        Assert.Equal(HttpStatusCode.NotFound, viaSdk.HttpStatusCode);
        Assert.Contains("NoSuchBucketPolicy", viaSdk.Policy ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_policy_removes_it()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;
        await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policies", Policy = QuirkyPolicy });

        await s3.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = "policies" });

        Assert.Null(sandbox.State.BucketPolicy("policies"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"Version\":\"2012-10-17\"}")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}")]
    public async Task Invalid_documents_are_MalformedPolicy(string document)
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policies", Policy = document }));

        Assert.Equal("MalformedPolicy", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Null(sandbox.State.BucketPolicy("policies"));
    }

    [Fact]
    public async Task Documents_over_20_KiB_are_refused_and_20_KiB_is_accepted()
    {
        var (sandbox, s3) = await WithBucketAsync();
        await using var _ = sandbox;

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policies", Policy = PolicyOfSize(20 * 1024 + 1) }));
        await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policies", Policy = PolicyOfSize(20 * 1024) });

        Assert.Equal("MalformedPolicy", error.ErrorCode);
        Assert.Equal(20 * 1024, Encoding.UTF8.GetByteCount(sandbox.State.BucketPolicy("policies")!));

        // The limit counts the document without whitespace: 20 KiB of content with 4 KiB of indentation fits.
        var indented = PolicyOfSize(20 * 1024).Replace(",\"", ",\n" + new string(' ', 800) + "\"", StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(indented) > 20 * 1024 + 3000);
        await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policies", Policy = indented });
    }

    /// <summary>A principal of this account: new buckets block public policies (BlockPublicPolicy), so "*" would be refused.</summary>
    private static string PolicyOfSize(int bytes)
    {
        const string Head = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"";
        const string Tail = "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::policies/*\"}]}";
        return Head + new string('x', bytes - Head.Length - Tail.Length) + Tail;
    }
}
