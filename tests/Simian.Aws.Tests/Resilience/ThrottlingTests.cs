using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Simian.Aws.Resilience;
using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.Resilience;

public sealed class ThrottlingTests
{
    [Fact(Timeout = 60_000)]
    public async Task Resolve_inject_and_undo_complete_while_30_percent_of_calls_are_throttled()
    {
        await using var sandbox = await AwsSandbox.StartAsync(
            TestFleets.Generated(2500), o => new() { Fleet = o.Fleet, Seed = 42, ThrottleRate = 0.3, ErrorRate = 0.05 });

        Assert.Equal(2500, (await sandbox.ResolveAsync("aws:ec2:instance", "tags: {app: fleet}")).Count);
        var stop = sandbox.Fault("aws:ec2:instance", "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web1"));
        var undo = await stop.CaptureAsync(ctx, AwsSandbox.Timeout());
        await stop.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal(UndoOutcome.Restored, await stop.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));

        var deny = sandbox.Fault("aws:s3:bucket", "bucket-deny");
        var buckets = await sandbox.ResolveAsync("aws:s3:bucket", "prefix: site-");
        Assert.Equal(2, buckets.Count);
        var bucketCtx = sandbox.Context(buckets[0]);
        var bucketUndo = await deny.CaptureAsync(bucketCtx, AwsSandbox.Timeout());
        await deny.ApplyAsync(bucketCtx, bucketUndo, AwsSandbox.Timeout());
        Assert.Equal(UndoOutcome.Restored, await deny.UndoAsync(sandbox.Undo(bucketCtx, bucketUndo), AwsSandbox.Timeout()));

        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
        Assert.Null(sandbox.State.BucketPolicy("site-assets"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Polly_is_the_only_retry_layer_and_says_when_it_gave_up()
    {
        var log = new StringWriter();
        var options = AwsSandbox.FastOptions with
        {
            InjectRetry = new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), false),
        };
        await using var sandbox = await AwsSandbox.StartAsync(configure: o => new() { Fleet = o.Fleet, ThrottleRate = 1, Log = log }, options: options);

        var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync("aws:ec2:instance", "tags: {app: web}"));
        Assert.Equal("cannot identify the caller (sts:GetCallerIdentity): still throttled after 3 attempts (Throttling)", e.Message);
        // Three attempts reached the sandbox: the SDK added none of its own.
        Assert.Equal(3, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact(Timeout = 30_000)]
    public async Task Backoff_runs_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = AwsSandbox.FastOptions with
        {
            InjectRetry = new AwsRetryPolicy(2, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(2), false),
        };
        await using var sandbox = await AwsSandbox.StartAsync(configure: o => new() { Fleet = o.Fleet, ThrottleRate = 1 }, options: options);
        var provider = sandbox.NewProvider(time);

        var resolve = sandbox.ResolveAsync("aws:ec2:instance", "tags: {app: web}", provider);
        await Task.Delay(500);
        Assert.False(resolve.IsCompleted, "the retry waits for the injected clock, not the wall clock");
        sandbox.Server.SetFaults(new SandboxFaults(0, 0));
        while (!resolve.IsCompleted)
        {
            time.Advance(TimeSpan.FromMinutes(5));
            await Task.Delay(20);
        }
        Assert.Equal(3, (await resolve).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_endpoint_that_never_answers_times_out_per_attempt()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true) accepted.Add(await silent.AcceptSocketAsync());
        });
        var options = AwsSandbox.FastOptions with
        {
            InjectRetry = new AwsRetryPolicy(2, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10), false),
        };
        await using var sandbox = await AwsSandbox.StartAsync(options: options);
        sandbox.Settings = Yaml.Settings("aws", $"region: us-east-1\nendpoint: http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");

        var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync("aws:ec2:instance", "tags: {app: web}"));
        Assert.StartsWith("cannot identify the caller (sts:GetCallerIdentity): no answer from endpoint http://127.0.0.1:", e.Message);
        Assert.Contains("in time", e.Message);
    }

    [Fact]
    public void Undo_is_more_patient_than_inject()
    {
        var inject = AwsRetryPolicy.Inject;
        var undo = AwsRetryPolicy.Undo;
        Assert.True(undo.MaxAttempts > inject.MaxAttempts);
        Assert.True(undo.TotalTimeout > inject.TotalTimeout);
        Assert.True(undo.MaxDelay > inject.MaxDelay);
        Assert.True(undo.RetryUnreachable && !inject.RetryUnreachable);
    }
}
