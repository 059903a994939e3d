using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.Faults;

/// <summary>
/// instance-stop and instance-reboot on an Auto Scaling group member, against a sandbox that replaces a stopped
/// InService instance as AWS does (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html):
/// the group's HealthCheck and ReplaceUnhealthy are suspended for the fault's duration and exactly what simian
/// suspended is resumed once the instance runs again.
/// </summary>
public sealed class AutoScalingProtectionTests
{
    private const string Type = "aws:ec2:instance";
    private const string Web1 = "i-0000000000000web1";
    private const string Web2 = "i-0000000000000web2";
    private const string LimitedKey = "AKIASANDBOXLIMITED";
    private const string LimitedSecret = "limited-secret";

    /// <summary>web1 and web2 in web-asg (AZRebalance already suspended); an identity that lacks some permissions.</summary>
    private static Fleet GroupFleet(params string[] limitedDenies)
    {
        var fleet = TestFleets.Extended();
        foreach (var instance in fleet.Instances.Where(i => i.Id is Web1 or Web2)) instance.Tags["aws:autoscaling:groupName"] = "web-asg";
        fleet.AutoScalingGroups.Add(new FleetAutoScalingGroup { Name = "web-asg", MinSize = 1, MaxSize = 4, SuspendedProcesses = { "AZRebalance" } });
        var limited = new FleetIdentity { AccessKeyId = LimitedKey, SecretAccessKey = LimitedSecret, Arn = "arn:aws:iam::123456789012:user/limited" };
        limited.DeniedActions.AddRange(limitedDenies);
        fleet.Identities.Add(limited);
        return fleet;
    }

    private static Task<AwsSandbox> StartAsync(string key = TestFleets.GameDayKey, string secret = TestFleets.GameDaySecret, TimeSpan? delay = null, params string[] denies) =>
        AwsSandbox.StartAsync(GroupFleet(denies), o => new SandboxOptions { Fleet = o.Fleet, TransitionDelay = delay ?? TimeSpan.FromMilliseconds(200) }, key, secret);

    private static List<string> Members(AwsSandbox sandbox) =>
        sandbox.State.AutoScalingGroup("web-asg")!.Instances.Select(i => i.Id).Order(StringComparer.Ordinal).ToList();

    [Fact(Timeout = 60_000)]
    public async Task A_stopped_member_is_not_replaced_and_undo_restores_exactly_the_suspended_processes()
    {
        await using var sandbox = await StartAsync();
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync(Web1));

        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        Assert.Equal("web-asg", undo["autoScaling"]!["group"]!.GetValue<string>());
        Assert.Equal("""["AZRebalance"]""", undo["autoScaling"]!["suspendedBefore"]!.ToJsonString());
        Assert.Equal("""["HealthCheck","ReplaceUnhealthy"]""", undo["autoScaling"]!["suspends"]!.ToJsonString());

        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal(["AZRebalance", "HealthCheck", "ReplaceUnhealthy"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        await Wait.UntilAsync(() => sandbox.State.InstanceState(Web1) == "stopped", TimeSpan.FromSeconds(20), "web1 stopped");
        Assert.Equal([Web1, Web2], Members(sandbox));

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        // Restored means running — the same instance — and the group exactly as it was.
        Assert.Equal("running", sandbox.State.InstanceState(Web1));
        Assert.Equal([Web1, Web2], Members(sandbox));
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        Assert.Empty(sandbox.State.AutoScalingGroup("web-asg")!.Activities);
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_members_of_one_group_resume_it_only_after_both_run_again()
    {
        await using var sandbox = await StartAsync();
        var fault = sandbox.Fault(Type, "instance-stop");
        var first = sandbox.Context(await sandbox.InstanceAsync(Web1));
        var second = sandbox.Context(await sandbox.InstanceAsync(Web2));
        var firstUndo = await fault.CaptureAsync(first, AwsSandbox.Timeout());
        await fault.ApplyAsync(first, firstUndo, AwsSandbox.Timeout());
        // The second capture sees the processes already suspended, so its undo leaves them to the first's.
        var secondUndo = await fault.CaptureAsync(second, AwsSandbox.Timeout());
        Assert.Equal("[]", secondUndo["autoScaling"]!["suspends"]!.ToJsonString());
        await fault.ApplyAsync(second, secondUndo, AwsSandbox.Timeout());

        // Rollback order: the last change first.
        await fault.UndoAsync(sandbox.Undo(second, secondUndo), AwsSandbox.Timeout());
        Assert.Equal(["AZRebalance", "HealthCheck", "ReplaceUnhealthy"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(first, firstUndo), AwsSandbox.Timeout()));
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        Assert.Equal([Web1, Web2], Members(sandbox));
        Assert.All([Web1, Web2], id => Assert.Equal("running", sandbox.State.InstanceState(id)));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_refused_suspend_stops_nothing()
    {
        await using var sandbox = await StartAsync(LimitedKey, LimitedSecret, denies: "autoscaling:SuspendProcesses");
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync(Web1));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());

        var e = await Assert.ThrowsAsync<FaultNotAppliedException>(() => fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout()));
        Assert.StartsWith("cannot suspend HealthCheck and ReplaceUnhealthy on Auto Scaling group web-asg, so i-0000000000000web1 is not touched: access denied (AccessDenied",
            e.Message, StringComparison.Ordinal);
        Assert.Equal("running", sandbox.State.InstanceState(Web1));
        Assert.False(sandbox.State.CallCounts().ContainsKey("ec2:StopInstances"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Not_knowing_the_group_changes_nothing()
    {
        await using var sandbox = await StartAsync(LimitedKey, LimitedSecret, denies: "autoscaling:Describe*");
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync(Web1));

        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.CaptureAsync(ctx, AwsSandbox.Timeout()));
        Assert.StartsWith("cannot tell whether i-0000000000000web1 is in an Auto Scaling group (autoscaling:DescribeAutoScalingInstances): access denied",
            e.Message, StringComparison.Ordinal);
        Assert.Equal("running", sandbox.State.InstanceState(Web1));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_start_that_falls_back_to_stopped_is_not_restored_and_the_group_stays_protected()
    {
        await using var sandbox = await StartAsync();
        var fault = sandbox.Fault(Type, "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync(Web1));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        sandbox.State.SetCapacity("t3.micro", available: false);

        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(
            "instance i-0000000000000web1 did not start again: it fell back to stopped (Server.InsufficientInstanceCapacity: Server.InsufficientInstanceCapacity: " +
            "There was insufficient capacity available to satisfy the launch request.); Auto Scaling group web-asg keeps HealthCheck and ReplaceUnhealthy " +
            "suspended so the instance is not replaced — start it, then run `simian recover`",
            e.Message);
        Assert.Equal("stopped", sandbox.State.InstanceState(Web1));
        Assert.Equal(["AZRebalance", "HealthCheck", "ReplaceUnhealthy"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        Assert.Equal([Web1, Web2], Members(sandbox));

        // Capacity is back: the same undo (as recover runs it) starts it and lifts the protection.
        sandbox.State.SetCapacity("t3.micro", available: true);
        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal("running", sandbox.State.InstanceState(Web1));
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_reboot_holds_the_protection_until_its_undo()
    {
        await using var sandbox = await StartAsync();
        var fault = sandbox.Fault(Type, "instance-reboot");
        var ctx = sandbox.Context(await sandbox.InstanceAsync(Web2));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal(["AZRebalance", "HealthCheck", "ReplaceUnhealthy"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        Assert.Equal(1, sandbox.State.Instance(Web2)!.RebootCount);

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
    }

    [Fact(Timeout = 60_000)]
    public async Task Terminate_leaves_the_group_to_replace_the_instance()
    {
        await using var sandbox = await StartAsync();
        var fault = sandbox.Fault(Type, "instance-terminate");
        var ctx = sandbox.Context(await sandbox.InstanceAsync(Web1));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        Assert.Null(undo["autoScaling"]);
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        await Wait.UntilAsync(() => !Members(sandbox).Contains(Web1) && Members(sandbox).Count == 2, TimeSpan.FromSeconds(20), "web1 replaced");
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_plan_dry_runs_the_change_and_its_undo_and_names_each_group()
    {
        await using var sandbox = await StartAsync();
        var fault = (IPreflightFault)sandbox.Fault(Type, "instance-stop");
        var resources = new[] { await sandbox.InstanceAsync(Web1), await sandbox.InstanceAsync(Web2), await sandbox.InstanceAsync("i-0000000000000api1") };
        var notes = await fault.PreflightAsync(new PreflightContext("step", resources, Yaml.Map("{}"), null, sandbox.Settings), AwsSandbox.Timeout());

        Assert.Equal((PreflightVerdict.Allowed, "ec2:StopInstances on 3 instance(s): allowed (dry run)"), (notes[0].Verdict, notes[0].Text));
        Assert.Equal((PreflightVerdict.Allowed, "to undo: ec2:StartInstances on 3 instance(s): allowed (dry run)"), (notes[1].Verdict, notes[1].Text));
        Assert.Contains(notes, n => n.Verdict == PreflightVerdict.Info && n.Text.StartsWith("Auto Scaling group api-asg (1 of the instances): suspend HealthCheck and ReplaceUnhealthy", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Verdict == PreflightVerdict.Info && n.Text.StartsWith("Auto Scaling group web-asg (2 of the instances): suspend HealthCheck and ReplaceUnhealthy", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Verdict == PreflightVerdict.NotChecked && n.Text.StartsWith("autoscaling:SuspendProcesses and autoscaling:ResumeProcesses on web-asg", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.Verdict == PreflightVerdict.Refused);
        // A plan changes nothing.
        Assert.All(resources, r => Assert.Equal("running", sandbox.State.InstanceState(r.Id)));
        Assert.Equal(["AZRebalance"], sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_caller_who_could_not_undo_is_refused_in_the_plan()
    {
        await using var sandbox = await StartAsync(LimitedKey, LimitedSecret, denies: "ec2:StartInstances");
        var fault = (IPreflightFault)sandbox.Fault(Type, "instance-stop");
        var notes = await fault.PreflightAsync(
            new PreflightContext("step", [await sandbox.InstanceAsync(Web1)], Yaml.Map("{}"), null, sandbox.Settings), AwsSandbox.Timeout());

        Assert.Equal(PreflightVerdict.Allowed, notes[0].Verdict);
        Assert.Equal(PreflightVerdict.Refused, notes[1].Verdict);
        Assert.StartsWith("to undo: ec2:StartInstances on 1 instance(s): not allowed — the caller lacks ec2:StartInstances (", notes[1].Text, StringComparison.Ordinal);
    }
}
