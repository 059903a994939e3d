using Simian.Aws.Tests.TestSupport;
using Simian.Core.Providers;

namespace Simian.Aws.Tests.Faults;

public sealed class InstanceTerminateFaultTests
{
    [Fact(Timeout = 30_000)]
    public async Task Terminate_leaves_the_instance_terminated_and_cannot_be_undone()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault("aws:ec2:instance", "instance-terminate");
        Assert.False(fault.Reversible);
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web1"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());

        Assert.Equal("terminated", sandbox.State.InstanceState("i-0000000000000web1"));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal("terminated", sandbox.State.InstanceState("i-0000000000000web1"));
        Assert.Contains("irreversible", fault.Describe(Yaml.Map("{}"), null));
    }
}
