using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.Faults;

public sealed class InstanceStopFaultTests
{
    private const string Type = "aws:ec2:instance";

    [Fact(Timeout = 30_000)]
    public async Task Stop_then_undo_restores_running_and_a_second_undo_has_nothing_to_do()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault(Type, "instance-stop");
        Assert.True(fault.Reversible);
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web1"));

        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal("stopped", sandbox.State.InstanceState("i-0000000000000web1"));

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(1, sandbox.State.CallCounts()["ec2:StartInstances"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Spot_instances_are_refused_and_left_running()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-000000000000spot1"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());

        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout()));
        Assert.Equal("spot instances cannot be stopped safely; not stopping i-000000000000spot1", e.Message);
        Assert.Equal("running", sandbox.State.InstanceState("i-000000000000spot1"));
        Assert.False(sandbox.State.CallCounts().ContainsKey("ec2:StopInstances"));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_instance_that_was_already_stopped_is_not_touched_nor_started_by_undo()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-00000000000000off"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());

        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout()));
        Assert.Equal("instance i-00000000000000off is stopped, not running; not stopping it", e.Message);
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal("stopped", sandbox.State.InstanceState("i-00000000000000off"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Undo_waits_for_a_stopping_instance_to_stop_before_starting_it()
    {
        await using var sandbox = await AwsSandbox.StartAsync(configure: o => new() { Fleet = o.Fleet, TransitionDelay = TimeSpan.FromMilliseconds(400) });
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web2"), "force: true");
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal("stopping", sandbox.State.InstanceState("i-0000000000000web2"));

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Contains(sandbox.State.InstanceState("i-0000000000000web2"), new[] { "pending", "running" });
        Assert.True(sandbox.State.CallCounts()["ec2:DescribeInstances"] >= 3, "undo polled while the instance was stopping");
    }

    [Fact(Timeout = 30_000)]
    public async Task Undo_explains_that_an_instance_terminated_while_stopped_cannot_be_started()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var stop = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web1"));
        var undo = await stop.CaptureAsync(ctx, AwsSandbox.Timeout());
        await stop.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        var terminate = sandbox.Fault(Type, "instance-terminate");
        await terminate.ApplyAsync(ctx, await terminate.CaptureAsync(ctx, AwsSandbox.Timeout()), AwsSandbox.Timeout());

        var e = await Assert.ThrowsAsync<ProviderException>(() => stop.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal("instance i-0000000000000web1 is terminated: it was terminated while the fault held and cannot be started again", e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Recover_starts_the_instance_from_the_undo_record_alone_with_a_fresh_provider()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000api1"));
        var fault = sandbox.Fault(Type, "instance-stop");
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());

        // As after a crash: a new process, only the journal's undo record and scalar settings.
        var fresh = sandbox.Fault(Type, "instance-stop", sandbox.NewProvider());
        var recover = new UndoContext("run1", "i-0000000000000api1", new Dictionary<string, string>(), sandbox.Undo(ctx, undo).Undo,
            new Dictionary<string, string> { ["region"] = "us-east-1", ["endpoint"] = sandbox.Endpoint }, TimeProvider.System);
        Assert.Equal(UndoOutcome.Restored, await fresh.UndoAsync(recover, AwsSandbox.Timeout()));
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000api1"));
    }

    [Fact]
    public void Force_must_be_a_boolean()
    {
        var fault = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type).Faults.Single(f => f.Name == "instance-stop");
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("force: maybe"), d)), e => e.StartsWith("1:8: ", StringComparison.Ordinal) && e.Contains("true or false"));
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("forced: true"), d)), e => e.Contains("did you mean 'force'"));
        Assert.Empty(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("force: true"), d)));
        Assert.Equal("force-stop the instance; undo starts it again and waits until it is running", fault.Describe(Yaml.Map("force: true"), null));
    }
}
