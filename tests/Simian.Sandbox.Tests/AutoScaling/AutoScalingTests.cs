using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.AutoScaling;

/// <summary>
/// Amazon EC2 Auto Scaling as the sandbox serves it, driven by Debian's boto3 and awscli (no .NET SDK package for
/// Auto Scaling is available here). Each test names the AWS page whose behaviour it checks.
/// </summary>
public sealed class AutoScalingTests(ITestOutputHelper output)
{
    private const string Key = "AKIASANDBOXASG";
    private const string Secret = "asg-secret";
    private const string ReaderKey = "AKIASANDBOXREADER";
    private const string ReaderSecret = "reader-secret";

    private static Fleet GroupFleet() => Fleet.Parse($$$"""
        account: "123456789012"
        identities:
          - {accessKeyId: {{{Key}}}, secretAccessKey: {{{Secret}}}, arn: "arn:aws:sts::123456789012:assumed-role/GameDay/simian"}
          - {accessKeyId: {{{ReaderKey}}}, secretAccessKey: {{{ReaderSecret}}}, arn: "arn:aws:iam::123456789012:user/reader",
             deniedActions: ["ec2:StartInstances", "autoscaling:SuspendProcesses"]}
        instances:
          - {id: i-0aa0000000000000a, zone: us-east-1a, type: t3.small, tags: {app: web, "aws:autoscaling:groupName": web-asg}}
          - {id: i-0aa0000000000000b, zone: us-east-1b, type: t3.small, tags: {app: web, "aws:autoscaling:groupName": web-asg}}
          - {id: i-0bb0000000000000a, zone: us-east-1a, type: m5.large, tags: {app: api, "aws:autoscaling:groupName": api-asg}}
          - {id: i-0cc0000000000000a, zone: us-east-1c, type: t3.micro, tags: {app: solo}}
        autoScalingGroups:
          - {name: web-asg, minSize: 1, maxSize: 4, desiredCapacity: 2, zones: [us-east-1a, us-east-1b], healthCheckGracePeriod: 0, tags: {team: web}}
          - {name: api-asg, minSize: 1, maxSize: 2, suspendedProcesses: [AZRebalance], healthCheckGracePeriod: 300}
        """);

    private static async Task<SandboxHarness> StartAsync(TimeProvider? time = null, TimeSpan? delay = null) =>
        await SandboxHarness.StartAsync(GroupFleet(), o => new SandboxOptions
        {
            Fleet = o.Fleet,
            RequireKnownKeys = true,
            TimeProvider = time ?? TimeProvider.System,
            TransitionDelay = delay ?? TimeSpan.Zero,
        });

    private Task<JsonElement> Boto(SandboxHarness sandbox, string code, string key = Key, string secret = Secret) =>
        Boto3.RunAsync(sandbox.Endpoint, key, secret, code);

    private async Task<string> Cli(SandboxHarness sandbox, params string[] args)
    {
        var (exit, stdout, stderr) = await TestSupport.AwsCli.RunAsync("/usr/bin/aws", sandbox.Endpoint, Key, Secret, args);
        output.WriteLine($"$ aws {string.Join(' ', args)} -> {exit}\n{stdout}{stderr}");
        Assert.True(exit == 0, $"aws {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    private bool Skipped()
    {
        var missing = Boto3.Missing();
        if (missing is null && !File.Exists("/usr/bin/aws"))
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "awscli is required under CI=true");
            missing = "awscli is not installed";
        }

        if (missing is not null) output.WriteLine(missing);
        return missing is not null;
    }

    /// <summary>https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html</summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task Both_clients_read_groups_their_instances_and_suspended_processes()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        using var cli = JsonDocument.Parse(await Cli(sandbox, "autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "web-asg"));
        var web = cli.RootElement.GetProperty("AutoScalingGroups").EnumerateArray().Single();
        Assert.Equal(2, web.GetProperty("DesiredCapacity").GetInt32());
        Assert.Equal(["i-0aa0000000000000a", "i-0aa0000000000000b"],
            web.GetProperty("Instances").EnumerateArray().Select(i => i.GetProperty("InstanceId").GetString()).Order().ToList());
        Assert.All(web.GetProperty("Instances").EnumerateArray(), i => Assert.Equal("InService", i.GetProperty("LifecycleState").GetString()));

        var boto = await Boto(sandbox, """
            c = client("autoscaling")
            groups = c.describe_auto_scaling_groups()["AutoScalingGroups"]
            tagged = c.describe_auto_scaling_groups(Filters=[{"Name": "tag:team", "Values": ["web"]}])["AutoScalingGroups"]
            page = c.describe_auto_scaling_instances(MaxRecords=1)
            result = {"names": [g["AutoScalingGroupName"] for g in groups],
                      "api": [p["ProcessName"] for p in groups[0]["SuspendedProcesses"]],
                      "tagged": [g["AutoScalingGroupName"] for g in tagged],
                      "first": page["AutoScalingInstances"][0]["InstanceId"], "more": "NextToken" in page,
                      "instances": sorted(i["InstanceId"] for i in c.get_paginator("describe_auto_scaling_instances").paginate().build_full_result()["AutoScalingInstances"])}
            """);
        Assert.Equal(["api-asg", "web-asg"], boto.GetProperty("names").EnumerateArray().Select(e => e.GetString()).ToList());
        Assert.Equal(["AZRebalance"], boto.GetProperty("api").EnumerateArray().Select(e => e.GetString()).ToList());
        Assert.Equal(["web-asg"], boto.GetProperty("tagged").EnumerateArray().Select(e => e.GetString()).ToList());
        Assert.True(boto.GetProperty("more").GetBoolean());
        // The ungrouped instance is in no group, so DescribeAutoScalingInstances does not list it.
        Assert.Equal(["i-0aa0000000000000a", "i-0aa0000000000000b", "i-0bb0000000000000a"],
            boto.GetProperty("instances").EnumerateArray().Select(e => e.GetString()).ToList());
    }

    /// <summary>
    /// An InService instance that is not running fails its EC2 health check and is terminated and replaced by a new
    /// instance: https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html and
    /// https://docs.aws.amazon.com/autoscaling/ec2/userguide/replace-unhealthy-instance.html (the activity's cause).
    /// This is what a stop fault without protection meets on a real account.
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task A_stopped_in_service_instance_is_terminated_and_replaced_by_a_new_one()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        var result = await Boto(sandbox, """
            ec2 = client("ec2"); asg = client("autoscaling")
            ec2.stop_instances(InstanceIds=["i-0aa0000000000000a"])
            state = ec2.describe_instances(InstanceIds=["i-0aa0000000000000a"])["Reservations"][0]["Instances"][0]["State"]["Name"]
            group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web-asg"])["AutoScalingGroups"][0]
            activities = asg.describe_scaling_activities(AutoScalingGroupName="web-asg")["Activities"]
            result = {"state": state, "members": sorted(i["InstanceId"] for i in group["Instances"]),
                      "activities": [a["Description"] for a in activities], "causes": [a["Cause"] for a in activities]}
            """);
        Assert.Equal("shutting-down", result.GetProperty("state").GetString());
        var members = result.GetProperty("members").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, members.Count);
        Assert.DoesNotContain("i-0aa0000000000000a", members);
        var replacement = Assert.Single(members, m => m != "i-0aa0000000000000b");
        var activities = result.GetProperty("activities").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal([$"Launching a new EC2 instance: {replacement}", "Terminating EC2 instance: i-0aa0000000000000a"], activities);
        Assert.Contains("was taken out of service in response to an EC2 health check",
            result.GetProperty("causes")[1].GetString(), StringComparison.Ordinal);
        Assert.Equal("terminated", sandbox.State.InstanceState("i-0aa0000000000000a"));
        Assert.Equal("running", sandbox.State.InstanceState(replacement));
    }

    /// <summary>
    /// With HealthCheck and ReplaceUnhealthy suspended, a stopped instance is left alone; resuming them lets the group
    /// act again: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html and
    /// https://docs.aws.amazon.com/autoscaling/ec2/userguide/suspend-resume-considerations.html (reboot without replacement).
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task Suspended_health_checks_keep_a_stopped_instance_and_resuming_them_replaces_it()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        await Cli(sandbox, "autoscaling", "suspend-processes", "--auto-scaling-group-name", "web-asg", "--scaling-processes", "HealthCheck", "ReplaceUnhealthy");
        await Cli(sandbox, "ec2", "stop-instances", "--instance-ids", "i-0aa0000000000000a");
        var held = sandbox.State.AutoScalingGroup("web-asg")!;
        Assert.Equal(["HealthCheck", "ReplaceUnhealthy"], held.SuspendedProcesses);
        Assert.Equal(["i-0aa0000000000000a", "i-0aa0000000000000b"], held.Instances.Select(i => i.Id).ToList());
        Assert.Equal("stopped", sandbox.State.InstanceState("i-0aa0000000000000a"));

        // Started again before the processes resume: nothing is replaced, the ids stay.
        await Cli(sandbox, "ec2", "start-instances", "--instance-ids", "i-0aa0000000000000a");
        await Cli(sandbox, "autoscaling", "resume-processes", "--auto-scaling-group-name", "web-asg", "--scaling-processes", "HealthCheck", "ReplaceUnhealthy");
        var after = sandbox.State.AutoScalingGroup("web-asg")!;
        Assert.Empty(after.SuspendedProcesses);
        Assert.Equal(["i-0aa0000000000000a", "i-0aa0000000000000b"], after.Instances.Select(i => i.Id).ToList());
        Assert.Empty(after.Activities);

        // Stopped while only ReplaceUnhealthy is suspended: marked Unhealthy, kept until ReplaceUnhealthy resumes.
        await Cli(sandbox, "autoscaling", "suspend-processes", "--auto-scaling-group-name", "web-asg", "--scaling-processes", "ReplaceUnhealthy");
        await Cli(sandbox, "ec2", "stop-instances", "--instance-ids", "i-0aa0000000000000b");
        using (var doc = JsonDocument.Parse(await Cli(sandbox, "autoscaling", "describe-auto-scaling-instances", "--instance-ids", "i-0aa0000000000000b")))
        {
            Assert.Equal("UNHEALTHY", doc.RootElement.GetProperty("AutoScalingInstances")[0].GetProperty("HealthStatus").GetString()!.ToUpperInvariant());
        }

        await Cli(sandbox, "autoscaling", "resume-processes", "--auto-scaling-group-name", "web-asg", "--scaling-processes", "ReplaceUnhealthy");
        Assert.DoesNotContain("i-0aa0000000000000b", sandbox.State.AutoScalingGroup("web-asg")!.Instances.Select(i => i.Id));
    }

    /// <summary>
    /// Health checks start only after the grace period from launch:
    /// https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task Within_the_grace_period_a_stopped_instance_is_not_replaced()
    {
        if (Skipped()) return;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await StartAsync(time);
        // api-asg has a 300 s grace period; its instance launched long ago, so start it fresh first.
        await Cli(sandbox, "autoscaling", "suspend-processes", "--auto-scaling-group-name", "api-asg", "--scaling-processes", "HealthCheck");
        await Cli(sandbox, "ec2", "stop-instances", "--instance-ids", "i-0bb0000000000000a");
        await Cli(sandbox, "ec2", "start-instances", "--instance-ids", "i-0bb0000000000000a");
        await Cli(sandbox, "autoscaling", "resume-processes", "--auto-scaling-group-name", "api-asg", "--scaling-processes", "HealthCheck");
        await Cli(sandbox, "ec2", "stop-instances", "--instance-ids", "i-0bb0000000000000a");
        time.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(["i-0bb0000000000000a"], sandbox.State.AutoScalingGroup("api-asg")!.Instances.Select(i => i.Id).ToList());
        time.Advance(TimeSpan.FromSeconds(2));
        var group = sandbox.State.AutoScalingGroup("api-asg")!;
        Assert.DoesNotContain(group.Instances, i => i.Id == "i-0bb0000000000000a" && i.LifecycleState != "Terminating");
        Assert.Single(group.Instances, i => i.LifecycleState is "Pending" or "InService");
        Assert.Contains(sandbox.State.InstanceState("i-0bb0000000000000a"), new[] { "shutting-down", "terminated" });
    }

    /// <summary>
    /// Standby instances are not health-checked; EnterStandby with ShouldDecrementDesiredCapacity lowers the desired
    /// capacity, ExitStandby raises it again: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-enter-exit-standby.html
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task Standby_instances_are_not_health_checked()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        var result = await Boto(sandbox, """
            asg = client("autoscaling"); ec2 = client("ec2")
            entered = asg.enter_standby(AutoScalingGroupName="web-asg", InstanceIds=["i-0aa0000000000000a"], ShouldDecrementDesiredCapacity=True)
            ec2.stop_instances(InstanceIds=["i-0aa0000000000000a"])
            group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web-asg"])["AutoScalingGroups"][0]
            ec2.start_instances(InstanceIds=["i-0aa0000000000000a"])
            asg.exit_standby(AutoScalingGroupName="web-asg", InstanceIds=["i-0aa0000000000000a"])
            back = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web-asg"])["AutoScalingGroups"][0]
            twice = error(lambda: asg.exit_standby(AutoScalingGroupName="web-asg", InstanceIds=["i-0aa0000000000000a"]))
            result = {"activity": entered["Activities"][0]["Description"], "desired": group["DesiredCapacity"],
                      "states": {i["InstanceId"]: i["LifecycleState"] for i in group["Instances"]},
                      "backDesired": back["DesiredCapacity"], "backStates": {i["InstanceId"]: i["LifecycleState"] for i in back["Instances"]},
                      "twice": twice}
            """);
        Assert.Equal("Moving EC2 instance to Standby: i-0aa0000000000000a", result.GetProperty("activity").GetString());
        Assert.Equal(1, result.GetProperty("desired").GetInt32());
        Assert.Equal("Standby", result.GetProperty("states").GetProperty("i-0aa0000000000000a").GetString());
        Assert.Equal(2, result.GetProperty("backDesired").GetInt32());
        Assert.Equal("InService", result.GetProperty("backStates").GetProperty("i-0aa0000000000000a").GetString());
        Assert.Equal(2, result.GetProperty("backStates").EnumerateObject().Count());
        Assert.Equal("ValidationError", result.GetProperty("twice").GetProperty("Code").GetString());
    }

    /// <summary>
    /// SetInstanceHealth Unhealthy makes the group replace the instance:
    /// https://docs.aws.amazon.com/autoscaling/ec2/userguide/set-up-a-custom-health-check.html
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task An_instance_set_unhealthy_is_replaced()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        await Cli(sandbox, "autoscaling", "set-instance-health", "--instance-id", "i-0aa0000000000000b", "--health-status", "Unhealthy");
        var group = sandbox.State.AutoScalingGroup("web-asg")!;
        Assert.DoesNotContain("i-0aa0000000000000b", group.Instances.Select(i => i.Id));
        Assert.Equal(2, group.Instances.Count);
        Assert.Contains(group.Activities, a => a == "Terminating EC2 instance: i-0aa0000000000000b");
    }

    /// <summary>
    /// UpdateAutoScalingGroup checks min ≤ desired ≤ max and launches up to a raised desired capacity
    /// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html); what the sandbox
    /// does not model (scale-in termination policies, launch templates, other actions) is refused with 501, not ignored.
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task Updates_are_checked_and_what_is_not_modelled_is_refused()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        var result = await Boto(sandbox, """
            asg = client("autoscaling")
            asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=3)
            members = len(asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web-asg"])["AutoScalingGroups"][0]["Instances"])
            result = {"members": members,
                      "aboveMax": error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=9)),
                      "scaleIn": error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=1)),
                      "template": error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", LaunchTemplate={"LaunchTemplateName": "web-template"})),
                      "create": error(lambda: asg.create_auto_scaling_group(AutoScalingGroupName="x", MinSize=1, MaxSize=1, AvailabilityZones=["us-east-1a"])),
                      "process": error(lambda: asg.suspend_processes(AutoScalingGroupName="web-asg", ScalingProcesses=["Healthcheck"])),
                      "noGroup": error(lambda: asg.resume_processes(AutoScalingGroupName="nope"))}
            """);
        Assert.Equal(3, result.GetProperty("members").GetInt32());
        Assert.Equal("ValidationError", result.GetProperty("aboveMax").GetProperty("Code").GetString());
        foreach (var refused in new[] { "scaleIn", "template", "create" })
        {
            Assert.Equal("NotImplemented", result.GetProperty(refused).GetProperty("Code").GetString());
            Assert.Equal(501, result.GetProperty(refused).GetProperty("Status").GetInt32());
        }

        Assert.Equal("ValidationError", result.GetProperty("process").GetProperty("Code").GetString());
        Assert.Equal("ValidationError", result.GetProperty("noGroup").GetProperty("Code").GetString());
        Assert.Empty(sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
    }

    /// <summary>
    /// VPCZoneIdentifier through boto3: subnets must exist; taking away a zone with instances in service is refused
    /// unless AZRebalance is suspended, because on AWS the rebalance would terminate them
    /// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#AutoScalingBehavior.Rebalancing);
    /// a replacement then launches only into the group's remaining subnets.
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task The_groups_subnets_change_only_as_far_as_the_sandbox_can_model_and_launches_follow_them()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        var result = await Boto(sandbox, """
            asg = client("autoscaling")
            result = {"unknown": error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", VPCZoneIdentifier="subnet-0123456789abcdef0")),
                      "rebalance": error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", VPCZoneIdentifier="subnet-us-east-1b"))}
            asg.suspend_processes(AutoScalingGroupName="web-asg", ScalingProcesses=["AZRebalance"])
            asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", VPCZoneIdentifier="subnet-us-east-1b")
            group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web-asg"])["AutoScalingGroups"][0]
            result["subnets"] = group["VPCZoneIdentifier"]
            result["zones"] = group["AvailabilityZones"]
            asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=3)
            """);
        Assert.Equal("ValidationError", result.GetProperty("unknown").GetProperty("Code").GetString());
        Assert.Equal("NotImplemented", result.GetProperty("rebalance").GetProperty("Code").GetString());
        Assert.Equal("subnet-us-east-1b", result.GetProperty("subnets").GetString());
        Assert.Equal(["us-east-1b"], result.GetProperty("zones").EnumerateArray().Select(z => z.GetString()));
        var launched = sandbox.State.Instances().Single(i => i.Id is not ("i-0aa0000000000000a" or "i-0aa0000000000000b" or "i-0bb0000000000000a" or "i-0cc0000000000000a"));
        Assert.Equal("us-east-1b", launched.Zone);
    }

    /// <summary>
    /// DryRun checks permissions only: DryRunOperation when allowed, UnauthorizedOperation when not, whatever state the
    /// instance is in (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html, DryRun). Auto
    /// Scaling answers a missing permission with AccessDenied.
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task Dry_runs_and_missing_permissions_answer_as_AWS_does()
    {
        if (Skipped()) return;
        await using var sandbox = await StartAsync();
        var allowed = await Boto(sandbox, """
            ec2 = client("ec2")
            result = {"stop": error(lambda: ec2.stop_instances(InstanceIds=["i-0cc0000000000000a"], DryRun=True)),
                      "startRunning": error(lambda: ec2.start_instances(InstanceIds=["i-0cc0000000000000a"], DryRun=True))}
            """);
        Assert.Equal("DryRunOperation", allowed.GetProperty("stop").GetProperty("Code").GetString());
        Assert.Equal(412, allowed.GetProperty("stop").GetProperty("Status").GetInt32());
        Assert.Equal("DryRunOperation", allowed.GetProperty("startRunning").GetProperty("Code").GetString());
        Assert.Equal("running", sandbox.State.InstanceState("i-0cc0000000000000a"));

        var denied = await Boto(sandbox, """
            ec2 = client("ec2"); asg = client("autoscaling")
            result = {"stop": error(lambda: ec2.stop_instances(InstanceIds=["i-0cc0000000000000a"], DryRun=True)),
                      "start": error(lambda: ec2.start_instances(InstanceIds=["i-0cc0000000000000a"], DryRun=True)),
                      "suspend": error(lambda: asg.suspend_processes(AutoScalingGroupName="web-asg", ScalingProcesses=["HealthCheck"])),
                      "describe": error(lambda: asg.describe_auto_scaling_groups())}
            """, ReaderKey, ReaderSecret);
        Assert.Equal("DryRunOperation", denied.GetProperty("stop").GetProperty("Code").GetString());
        Assert.Equal("UnauthorizedOperation", denied.GetProperty("start").GetProperty("Code").GetString());
        Assert.Contains("is not authorized to perform: ec2:StartInstances", denied.GetProperty("start").GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Equal("AccessDenied", denied.GetProperty("suspend").GetProperty("Code").GetString());
        Assert.Equal(JsonValueKind.Null, denied.GetProperty("describe").ValueKind);
        Assert.Empty(sandbox.State.AutoScalingGroup("web-asg")!.SuspendedProcesses);
    }

    /// <summary>
    /// A start without capacity goes pending and falls back to stopped with StateReason
    /// Server.InsufficientInstanceCapacity: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StateReason.html
    /// </summary>
    [ToolFact(Tools.AwsCli, Tools.Boto3)]
    public async Task A_start_without_capacity_falls_back_to_stopped_with_its_reason()
    {
        if (Skipped()) return;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await StartAsync(time, TimeSpan.FromSeconds(2));
        await Cli(sandbox, "ec2", "stop-instances", "--instance-ids", "i-0cc0000000000000a");
        time.Advance(TimeSpan.FromSeconds(3));
        sandbox.State.SetCapacity("t3.micro", available: false);
        var result = await Boto(sandbox, """
            ec2 = client("ec2")
            started = ec2.start_instances(InstanceIds=["i-0cc0000000000000a"])["StartingInstances"][0]["CurrentState"]["Name"]
            result = {"started": started}
            """);
        Assert.Equal("pending", result.GetProperty("started").GetString());
        time.Advance(TimeSpan.FromSeconds(3));
        var after = await Boto(sandbox, """
            i = client("ec2").describe_instances(InstanceIds=["i-0cc0000000000000a"])["Reservations"][0]["Instances"][0]
            result = {"state": i["State"]["Name"], "code": i["StateReason"]["Code"]}
            """);
        Assert.Equal("stopped", after.GetProperty("state").GetString());
        Assert.Equal("Server.InsufficientInstanceCapacity", after.GetProperty("code").GetString());
    }
}
