using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Auth;

public sealed class SignatureTests
{
    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch_on_ec2()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2(TestFleets.GameDayKey, "wrong-secret").DescribeInstancesAsync(new DescribeInstancesRequest()));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch_on_s3_and_nothing_is_written()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.S3().PutBucketAsync(new PutBucketRequest { BucketName = "signed" });

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => sandbox.S3(TestFleets.GameDayKey, "wrong-secret")
            .PutObjectAsync(new PutObjectRequest { BucketName = "signed", Key = "k", ContentBody = "v" }));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Empty(sandbox.State.ObjectKeys("signed"));
    }

    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch_on_sts()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sandbox.Sts(TestFleets.DevKey, "wrong-secret").GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
    }

    /// <summary>
    /// An access key AWS does not know is refused, each service in its own words (STS InvalidClientTokenId, S3
    /// InvalidAccessKeyId, EC2 AuthFailure): https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    /// </summary>
    [Fact]
    public async Task Unknown_keys_are_refused_by_default_as_AWS_refuses_them()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var sts = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sandbox.Sts("AKIAUNKNOWN", "x").GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        var s3 = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => sandbox.S3("AKIAUNKNOWN", "x").ListBucketsAsync(new ListBucketsRequest()));
        var ec2 = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2("AKIAUNKNOWN", "x").DescribeInstancesAsync(new DescribeInstancesRequest()));

        Assert.Equal("InvalidClientTokenId", sts.ErrorCode);
        Assert.Equal("InvalidAccessKeyId", s3.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, s3.StatusCode);
        Assert.Equal("AuthFailure", ec2.ErrorCode);
    }

    [Fact]
    public async Task Unknown_keys_are_admitted_unchecked_only_when_any_key_is_asked_for()
    {
        await using var sandbox = await SandboxHarness.StartAsync(configure: o => new SandboxOptions { Fleet = o.Fleet, RequireKnownKeys = false });

        var response = await sandbox.Ec2("AKIAUNKNOWN", "anything").DescribeInstancesAsync(new DescribeInstancesRequest());

        Assert.NotEmpty(response.Reservations);
    }

    [Fact]
    public async Task A_malformed_authorization_header_is_refused()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, sandbox.Endpoint + "/");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIASANDBOXDEV/20240101/us-east-1/s3/aws4_request");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("AuthorizationHeaderMalformed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_ec2_calls_are_refused()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = new HttpClient();

        var response = await http.PostAsync(
            sandbox.Endpoint + "/",
            new FormUrlEncodedContent([new("Action", "DescribeInstances"), new("Version", "2016-11-15")]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("<Code>AuthFailure</Code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_sts_calls_are_routed_by_their_version_and_refused()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = new HttpClient();

        var response = await http.PostAsync(
            sandbox.Endpoint + "/",
            new FormUrlEncodedContent([new("Action", "GetCallerIdentity"), new("Version", "2011-06-15")]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("MissingAuthenticationToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
