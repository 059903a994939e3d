using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Core.Journal;
using Simian.Reliability.Tests.Support;

namespace Simian.Reliability.Tests.Security;

/// <summary>
/// `bucket-deny` must never lock out the identity running the experiment (it has to be able to undo), and must
/// really deny everybody else: checked with real signed S3 calls while the fault is held, for a caller that is
/// an assumed role and for a caller that is an IAM user (the sample fleet has one of each).
/// </summary>
public sealed class BucketDenyCallerTests
{
    public enum Caller
    {
        AssumedRole,
        IamUser,
    }

    [Theory]
    [InlineData(Caller.AssumedRole)]
    [InlineData(Caller.IamUser)]
    public async Task The_caller_keeps_reading_the_bucket_while_another_identity_is_denied(Caller caller)
    {
        var (callerKey, callerSecret, otherKey, otherSecret) = caller == Caller.AssumedRole
            ? (AwsSandbox.GameDayKeyId, AwsSandbox.GameDaySecret, AwsSandbox.DeveloperKeyId, AwsSandbox.DeveloperSecret)
            : (AwsSandbox.DeveloperKeyId, AwsSandbox.DeveloperSecret, AwsSandbox.GameDayKeyId, AwsSandbox.GameDaySecret);
        await using var sandbox = await AwsSandbox.StartAsync();
        var endpoint = AwsSandbox.EndpointOf(sandbox);
        var original = sandbox.State.BucketPolicy("site-assets");
        using var asCaller = AwsSandbox.S3(endpoint, callerKey, callerSecret);
        using var asOther = AwsSandbox.S3(endpoint, otherKey, otherSecret);
        // Before the experiment both can read.
        await AssertCanReadAsync(asCaller, "the caller, before");
        await AssertCanReadAsync(asOther, "the other identity, before");

        using var cli = new TestCli(env: AwsSandbox.Credentials(callerKey, callerSecret));
        var profile = new GameDayProfile("deny-others", endpoint)
            .Assets()
            .Step("{name: deny, fault: bucket-deny, target: assets}")
            .Step("{pause: 5m}")
            .WriteTo(cli.StateDir, "deny.yaml");
        var journal = Path.Combine(cli.StateDir, "deny.jsonl");
        var running = cli.RunAsync("run", profile, "--yes", "--journal", journal);
        CliResult run;
        try
        {
            await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 1 || running.IsCompleted, TimeSpan.FromSeconds(30),
                () => "the deny applied\n" + Journal.Text(journal));
            if (running.IsCompleted) Assert.Fail("the run ended early: " + await running);
            Assert.NotEqual(original, sandbox.State.BucketPolicy("site-assets"));

            await AssertCanReadAsync(asCaller, "the caller, while denied");
            var get = await Assert.ThrowsAsync<AmazonS3Exception>(() => asOther.GetObjectAsync("site-assets", "index.html"));
            Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
            Assert.Equal("AccessDenied", get.ErrorCode);
            var list = await Assert.ThrowsAsync<AmazonS3Exception>(() => asOther.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "site-assets" }));
            Assert.Equal("AccessDenied", list.ErrorCode);
        }
        finally
        {
            // Ctrl-C ends the hold, whatever happened above: the run rolls back before the sandbox goes away.
            cli.Services.Signals.Raise("SIGINT");
            run = await running.WaitAsync(TimeSpan.FromSeconds(60));
        }
        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.Empty(JournalState.Read(journal).Pending);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
        await AssertCanReadAsync(asOther, "the other identity, after rollback");
    }

    private static async Task AssertCanReadAsync(IAmazonS3 s3, string who)
    {
        try
        {
            using var get = await s3.GetObjectAsync("site-assets", "index.html");
            Assert.Equal(HttpStatusCode.OK, get.HttpStatusCode);
            var list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "site-assets" });
            Assert.Contains(list.S3Objects, o => o.Key == "index.html");
        }
        catch (AmazonS3Exception e)
        {
            Assert.Fail($"{who} could not read the bucket: {e.ErrorCode} {e.Message}");
        }
    }
}
