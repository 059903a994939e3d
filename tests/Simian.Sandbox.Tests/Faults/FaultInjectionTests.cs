using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Simian.Sandbox.Faults;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Faults;

public sealed class FaultInjectionTests
{
    private static Task<SandboxHarness> StartAsync(double throttle, double error) =>
        SandboxHarness.StartAsync(configure: o => new SandboxOptions { Fleet = o.Fleet, ThrottleRate = throttle, ErrorRate = error, Seed = 42 });

    [Fact]
    public async Task Throttling_surfaces_as_each_services_own_error()
    {
        await using var sandbox = await StartAsync(throttle: 1, error: 0);

        var ec2 = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest()));
        var s3 = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => sandbox.S3().ListBucketsAsync(new ListBucketsRequest()));
        var sts = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sandbox.Sts().GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("RequestLimitExceeded", ec2.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ec2.StatusCode);
        Assert.Equal("SlowDown", s3.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, s3.StatusCode);
        Assert.Equal("Throttling", sts.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, sts.StatusCode);
    }

    [Fact]
    public async Task Injected_errors_are_500_InternalError()
    {
        await using var sandbox = await StartAsync(throttle: 0, error: 1);

        var ec2 = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest()));
        var s3 = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => sandbox.S3().ListBucketsAsync(new ListBucketsRequest()));

        Assert.Equal("InternalError", ec2.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, ec2.StatusCode);
        Assert.Equal("InternalError", s3.ErrorCode);
    }

    [Fact]
    public async Task A_throttled_state_change_changes_nothing()
    {
        await using var sandbox = await StartAsync(throttle: 1, error: 0);

        await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0000000000000web1"] }));

        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
    }

    [Fact]
    public async Task The_sdks_own_retries_ride_out_occasional_throttling()
    {
        await using var sandbox = await StartAsync(throttle: 0.2, error: 0);
        using var ec2 = new AmazonEC2Client(
            new Amazon.Runtime.BasicAWSCredentials(TestFleets.GameDayKey, TestFleets.GameDaySecret),
            new AmazonEC2Config { ServiceURL = sandbox.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 8, ThrottleRetries = false });

        for (var i = 0; i < 6; i++)
        {
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
            Assert.NotEmpty(response.Reservations);
        }
    }

    [Fact]
    public async Task Faults_can_be_changed_while_running()
    {
        await using var sandbox = await StartAsync(throttle: 1, error: 0);
        var sts = sandbox.Sts();
        await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        sandbox.Server.SetFaults(new SandboxFaults(0, 0));

        Assert.Equal(TestFleets.GameDayArn, (await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
    }

    [Fact]
    public void The_same_seed_injects_the_same_faults()
    {
        static string Run(int seed)
        {
            var injector = new FaultInjector(new Random(seed), new SandboxFaults(0.3, 0.3));
            return string.Concat(Enumerable.Range(0, 50).Select(_ => injector.Roll() switch
            {
                CommonError.Throttled => 'T',
                CommonError.Internal => 'E',
                _ => '.',
            }));
        }

        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
        Assert.Contains('T', Run(7));
        Assert.Contains('E', Run(7));
        Assert.Contains('.', Run(7));
    }

    [Fact]
    public async Task Rates_outside_0_to_1_are_refused_at_start()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            SandboxServer.StartAsync(new SandboxOptions { ThrottleRate = 1.5 }, CancellationToken.None));
    }
}
