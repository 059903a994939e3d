using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.Faults;

/// <summary>
/// aws:autoscaling:group and zone-impair against the sandbox. Taking a zone from a group starts AZRebalance on AWS,
/// which terminates the instances there
/// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#AutoScalingBehavior.Rebalancing):
/// the sandbox refuses such a change unless AZRebalance is suspended, so these tests fail if the fault forgets to.
/// </summary>
public sealed class ZoneImpairFaultTests
{
    private static Fleet GroupFleet()
    {
        var fleet = Fleet.Parse("""
            instances:
              - {id: i-0abc0000000000001, zone: us-east-1a, tags: {app: web, chaos: opt-in, "aws:autoscaling:groupName": web-asg}}
              - {id: i-0abc0000000000002, zone: us-east-1b, tags: {app: web, chaos: opt-in, "aws:autoscaling:groupName": web-asg}}
              - {id: i-0abc0000000000003, zone: us-east-1a, tags: {app: solo, chaos: opt-in, "aws:autoscaling:groupName": solo-asg}}
            autoScalingGroups:
              - {name: web-asg, zones: [us-east-1a, us-east-1b], tags: {chaos: opt-in}}
              - {name: solo-asg, zones: [us-east-1a], tags: {chaos: opt-in}}
            """);
        fleet.Identities.AddRange(TestFleets.Standard().Identities);
        return fleet;
    }

    private static async Task<Resource> GroupAsync(AwsSandbox sandbox, string name) =>
        Assert.Single(await sandbox.ResolveAsync("aws:autoscaling:group", $"names: [{name}]"));

    [Fact(Timeout = 30_000)]
    public async Task The_zones_subnets_leave_the_group_with_AZRebalance_suspended_and_undo_restores_both_exactly()
    {
        await using var sandbox = await AwsSandbox.StartAsync(GroupFleet());
        var fault = sandbox.Fault("aws:autoscaling:group", "zone-impair");
        var group = await GroupAsync(sandbox, "web-asg");
        Assert.Equal("subnet-us-east-1a,subnet-us-east-1b", group.Attribute("subnets"));
        var ctx = sandbox.Context(group, "{zone: us-east-1a}");

        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());

        Assert.Equal("subnet-us-east-1b", (await GroupAsync(sandbox, "web-asg")).Attribute("subnets"));
        var state = sandbox.State.AutoScalingGroups().Single(g => g.Name == "web-asg");
        Assert.Equal(["AZRebalance"], state.SuspendedProcesses);
        // Nothing was terminated: the instance in the zone taken away is still the group's.
        Assert.Equal(["i-0abc0000000000001", "i-0abc0000000000002"], state.Instances.Select(i => i.Id).Order(StringComparer.Ordinal));

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal("subnet-us-east-1a,subnet-us-east-1b", (await GroupAsync(sandbox, "web-asg")).Attribute("subnets"));
        Assert.Empty(sandbox.State.AutoScalingGroups().Single(g => g.Name == "web-asg").SuspendedProcesses);
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_group_that_would_be_left_without_a_subnet_is_refused_and_one_outside_the_zone_is_left_alone()
    {
        await using var sandbox = await AwsSandbox.StartAsync(GroupFleet());
        var fault = sandbox.Fault("aws:autoscaling:group", "zone-impair");

        var solo = sandbox.Context(await GroupAsync(sandbox, "solo-asg"), "{zone: us-east-1a}");
        var refused = await Assert.ThrowsAsync<ProviderException>(() => fault.CaptureAsync(solo, AwsSandbox.Timeout()));
        Assert.Equal("Auto Scaling group solo-asg has subnets only in us-east-1a; taking them away would leave it none, so it is not impaired", refused.Message);

        var elsewhere = sandbox.Context(await GroupAsync(sandbox, "web-asg"), "{zone: us-east-1c}");
        var undo = await fault.CaptureAsync(elsewhere, AwsSandbox.Timeout());
        await fault.ApplyAsync(elsewhere, undo, AwsSandbox.Timeout());
        Assert.Equal("subnet-us-east-1a,subnet-us-east-1b", (await GroupAsync(sandbox, "web-asg")).Attribute("subnets"));
        Assert.Empty(sandbox.State.AutoScalingGroups().Single(g => g.Name == "web-asg").SuspendedProcesses);
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(elsewhere, undo), AwsSandbox.Timeout()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Groups_are_selected_by_tags()
    {
        await using var sandbox = await AwsSandbox.StartAsync(GroupFleet());

        var groups = await sandbox.ResolveAsync("aws:autoscaling:group", "tags: {chaos: opt-in}");

        Assert.Equal(["solo-asg", "web-asg"], groups.Select(g => g.Id));
        Assert.Equal("us-east-1a,us-east-1b", groups[1].Attribute("zones"));
    }
}
