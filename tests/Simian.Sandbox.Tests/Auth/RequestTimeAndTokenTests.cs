using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Time.Testing;
using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.Auth;

/// <summary>
/// Signed requests more than 15 minutes off the service's clock are refused
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html; S3's RequestTimeTooSkewed:
/// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html; RequestExpired elsewhere:
/// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html), and a session token must be the one
/// issued with its key, as STS credentials are checked.
/// </summary>
public sealed class RequestTimeAndTokenTests(ITestOutputHelper output)
{
    private const string TempKey = "ASIASANDBOXTEMP";
    private const string TempSecret = "temp-secret";
    private const string Token = "FwoGZXIvYXdzEXAMPLEsessiontoken";

    [Fact]
    public async Task A_request_signed_twenty_minutes_off_is_refused_and_fourteen_minutes_is_not()
    {
        // The sandbox's clock is 20 minutes behind the signer's: every request looks 20 minutes in the future.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20));
        await using var sandbox = await SandboxHarness.StartAsync(configure: o => new SandboxOptions { Fleet = o.Fleet, TimeProvider = clock });

        var s3 = await Assert.ThrowsAsync<AmazonS3Exception>(() => sandbox.S3().ListBucketsAsync(new ListBucketsRequest()));
        Assert.Equal("RequestTimeTooSkewed", s3.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, s3.StatusCode);
        var ec2 = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest()));
        Assert.Equal("RequestExpired", ec2.ErrorCode);

        if (Boto3.Missing() is { } missing)
        {
            output.WriteLine(missing);
        }
        else
        {
            var boto = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
                result = {"sts": error(lambda: client("sts").get_caller_identity()),
                          "asg": error(lambda: client("autoscaling").describe_auto_scaling_groups())}
                """);
            Assert.Equal("RequestExpired", boto.GetProperty("sts").GetProperty("Code").GetString());
            Assert.Equal("RequestExpired", boto.GetProperty("asg").GetProperty("Code").GetString());
        }

        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.NotNull(await sandbox.S3().ListBucketsAsync(new ListBucketsRequest()));
    }

    [Fact]
    public async Task Session_tokens_must_be_the_ones_issued_with_the_key()
    {
        var fleet = TestFleets.Standard();
        fleet.Identities.Add(new FleetIdentity
        {
            AccessKeyId = TempKey,
            SecretAccessKey = TempSecret,
            SessionToken = Token,
            Arn = "arn:aws:sts::123456789012:assumed-role/GameDay/temp",
        });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);

        AmazonSecurityTokenServiceClient Sts(AWSCredentials credentials) => new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = sandbox.Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

        using (var right = Sts(new SessionAWSCredentials(TempKey, TempSecret, Token)))
        {
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/GameDay/temp", (await right.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
        }

        using (var wrong = Sts(new SessionAWSCredentials(TempKey, TempSecret, "expired-or-forged")))
        {
            var e = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => wrong.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
            Assert.Equal("InvalidClientTokenId", e.ErrorCode);
        }

        using (var none = Sts(new BasicAWSCredentials(TempKey, TempSecret)))
        {
            var e = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => none.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
            Assert.Equal("InvalidClientTokenId", e.ErrorCode);
        }

        // A long-term key takes no token: one sent with it is refused too.
        using var longTerm = new AmazonS3Client(
            new SessionAWSCredentials(TestFleets.GameDayKey, TestFleets.GameDaySecret, "a-token-for-a-long-term-key"),
            new AmazonS3Config { ServiceURL = sandbox.Endpoint, AuthenticationRegion = "us-east-1", ForcePathStyle = true, MaxErrorRetry = 0 });
        var s3 = await Assert.ThrowsAsync<AmazonS3Exception>(() => longTerm.ListBucketsAsync(new ListBucketsRequest()));
        Assert.Equal("InvalidToken", s3.ErrorCode);
    }
}
