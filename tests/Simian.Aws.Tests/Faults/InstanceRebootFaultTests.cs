using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;

namespace Simian.Aws.Tests.Faults;

public sealed class InstanceRebootFaultTests
{
    [Fact(Timeout = 30_000)]
    public async Task Reboot_reboots_a_running_instance_and_leaves_nothing_to_undo()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault("aws:ec2:instance", "instance-reboot");
        Assert.True(fault.Reversible);
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web2"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());

        Assert.Equal(1, sandbox.State.Instance("i-0000000000000web2")!.RebootCount);
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web2"));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stopped_instance_is_not_rebooted()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault("aws:ec2:instance", "instance-reboot");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-00000000000000off"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout()));
        Assert.Equal("instance i-00000000000000off is stopped, not running; not rebooting it", e.Message);
    }
}
