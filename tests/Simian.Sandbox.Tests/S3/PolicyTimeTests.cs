using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.S3;

/// <summary>
/// A bucket policy statement that carries <c>DateLessThan: {aws:CurrentTime: T}</c> applies only before T: the condition
/// key is the request's time, present in every request
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime),
/// and the Date operators compare it with an ISO 8601 date or epoch seconds
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date).
/// This is what lets a Simian bucket deny expire on S3 itself when nobody is left to undo it.
/// </summary>
public sealed class PolicyTimeTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    private static string DenyUntil(string until) => """
        {"Version":"2012-10-17","Statement":[{"Sid":"SimianDenyUntil","Effect":"Deny","Principal":"*","Action":"s3:GetObject",
          "Resource":"arn:aws:s3:::site-assets/*",
          "Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/GameDay"},"DateLessThan":{"aws:CurrentTime":"UNTIL"}}}]}
        """.Replace("UNTIL", until, StringComparison.Ordinal);

    private static async Task<(SandboxHarness, FakeTimeProvider)> StartAsync(string policy)
    {
        var time = new FakeTimeProvider(Start);
        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Policy = policy, Objects = { ["index.html"] = "<h1>hi</h1>" } });
        return (await SandboxHarness.StartAsync(fleet, o => new SandboxOptions { Fleet = o.Fleet, TimeProvider = time }), time);
    }

    private static async Task<HttpStatusCode> GetAsync(AmazonS3Client s3)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "site-assets", Key = "index.html" });
            return response.HttpStatusCode;
        }
        catch (AmazonS3Exception e)
        {
            return e.StatusCode;
        }
    }

    [Theory]
    [InlineData("iso")]
    [InlineData("epoch")]
    public async Task A_deny_that_carries_an_expiry_stops_denying_at_it(string form)
    {
        var expiry = Start.AddMinutes(5);
        var until = form == "iso" ? expiry.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") : expiry.ToUnixTimeSeconds().ToString();
        var (sandbox, time) = await StartAsync(DenyUntil(until));
        await using var _ = sandbox;
        var dev = sandbox.S3(TestFleets.DevKey, TestFleets.DevSecret);

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(dev));
        time.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(58));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(dev));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(dev));
    }

    [Fact]
    public async Task A_date_that_is_no_date_fails_closed()
    {
        var (sandbox, _) = await StartAsync(DenyUntil("next tuesday"));
        await using var __ = sandbox;

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(sandbox.S3(TestFleets.DevKey, TestFleets.DevSecret)));
    }

    [ToolFact(Tools.Boto3)]
    public async Task Boto3_is_denied_before_the_expiry_and_allowed_after()
    {
        if (Boto3.Missing() is { } missing)
        {
            output.WriteLine(missing);
            return;
        }

        var (sandbox, time) = await StartAsync(DenyUntil(Start.AddMinutes(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")));
        await using var _ = sandbox;
        const string Read = """
            s3 = client("s3")
            result = error(lambda: s3.get_object(Bucket="site-assets", Key="index.html")["Body"].read())
            """;
        var before = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.DevKey, TestFleets.DevSecret, Read);
        Assert.Equal("AccessDenied", before.GetProperty("Code").GetString());
        time.Advance(TimeSpan.FromMinutes(6));
        var after = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.DevKey, TestFleets.DevSecret, Read);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.ValueKind);
    }
}
