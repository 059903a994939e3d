using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.S3;

/// <summary>
/// x-amz-expected-bucket-owner, as S3 checks it: a request that names an account other than the bucket's owner is
/// refused with 403 AccessDenied (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html),
/// and ListBuckets lists only the caller's account's buckets
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html). Driven by Debian's boto3.
/// </summary>
public sealed class BucketOwnerTests(ITestOutputHelper output)
{
    [ToolFact(Tools.Boto3)]
    public async Task The_expected_owner_is_checked_on_every_bucket_call()
    {
        if (Boto3.Missing() is { } missing)
        {
            output.WriteLine(missing);
            return;
        }

        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "ours", Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ours/*"}]}""" });
        fleet.Buckets.Add(new FleetBucket { Name = "partner-data", Owner = "210987654321" });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var result = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
            s3 = client("s3")
            result = {"right": s3.get_bucket_policy(Bucket="ours", ExpectedBucketOwner="123456789012")["ResponseMetadata"]["HTTPStatusCode"],
                      "wrong": error(lambda: s3.get_bucket_policy(Bucket="ours", ExpectedBucketOwner="210987654321")),
                      "deleteWrong": error(lambda: s3.delete_bucket_policy(Bucket="ours", ExpectedBucketOwner="210987654321")),
                      "partner": error(lambda: s3.get_bucket_tagging(Bucket="partner-data", ExpectedBucketOwner="123456789012")),
                      "listed": [b["Name"] for b in s3.list_buckets()["Buckets"]]}
            """);
        Assert.Equal(200, result.GetProperty("right").GetInt32());
        foreach (var refused in new[] { "wrong", "deleteWrong", "partner" })
        {
            Assert.Equal("AccessDenied", result.GetProperty(refused).GetProperty("Code").GetString());
            Assert.Equal(403, result.GetProperty(refused).GetProperty("Status").GetInt32());
        }

        Assert.NotNull(sandbox.State.BucketPolicy("ours"));
        Assert.Equal(["ours"], result.GetProperty("listed").EnumerateArray().Select(e => e.GetString()).ToList());
    }
}

/// <summary>
/// The sandbox serves path-style requests only; a virtual-hosted–style request (the bucket in the Host header,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html) is refused with 501 rather than
/// misread as a request without a bucket.
/// </summary>
public sealed class AddressingTests
{
    [Theory]
    [InlineData("site-assets.localhost:4566", "site-assets")]
    [InlineData("site-assets.s3.amazonaws.com", "site-assets")]
    [InlineData("my.bucket.s3.us-west-2.amazonaws.com", "my.bucket")]
    [InlineData("127.0.0.1:4566", null)]
    [InlineData("localhost:4566", null)]
    [InlineData("[::1]:4566", null)]
    public void The_bucket_in_a_host_name_is_recognised(string host, string? bucket) =>
        Assert.Equal(bucket, Simian.Sandbox.S3.S3Service.VirtualHostedBucket(host));

    [Fact]
    public async Task A_virtual_hosted_request_is_refused_loudly()
    {
        await using var sandbox = await SandboxHarness.StartAsync(TestFleets.Extended());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, sandbox.Endpoint + "/index.html");
        request.Headers.Host = "site-assets.localhost";
        using var response = await http.SendAsync(request);
        // The listener answers only for its own host names (404 before any S3 handling); had the request reached S3
        // handling it would be a 501 naming virtual-hosted-style addressing. Either way nothing is served.
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(response.StatusCode, new[] { System.Net.HttpStatusCode.NotImplemented, System.Net.HttpStatusCode.NotFound });
        Assert.DoesNotContain("<h1>hi</h1>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ListAllMyBucketsResult", body, StringComparison.Ordinal);
    }
}
