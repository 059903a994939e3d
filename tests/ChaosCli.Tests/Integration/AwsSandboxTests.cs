using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Cli.Tests.Commands;
using Simian.Cli.Tests.Support;
using Simian.Core;
using Simian.Sandbox;

namespace Simian.Cli.Tests.Integration;

/// <summary>
/// The AWS provider end to end through the CLI: the real AWS SDK talks to the project's sandbox over loopback,
/// so signing, serialisation and parsing run in every test.
/// </summary>
public sealed class AwsSandboxTests
{
    private static readonly Dictionary<string, string> Credentials = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIASIMIANGAMEDAY",
        ["AWS_SECRET_ACCESS_KEY"] = "sandbox-game-day-secret",
        ["AWS_REGION"] = "us-east-1",
    };

    private static Fleet SampleFleet() => TestFleets.Sample();

    private static Task<SandboxServer> StartSandboxAsync(Fleet? fleet = null) =>
        SandboxServer.StartAsync(new SandboxOptions { Fleet = fleet ?? SampleFleet() });

    /// <summary>A ready-made profile pointed at this test's sandbox, with minutes shortened to seconds and no window.</summary>
    private static string Adapt(string profile, SandboxServer sandbox, string dir)
    {
        var endpoint = sandbox.Endpoint.ToString().TrimEnd('/');
        var text = File.ReadAllText(Repo.Path("chaos-profiles", profile))
            .Replace("http://127.0.0.1:4566", endpoint)
            .Replace("http://127.0.0.1:4567/", sandbox.SiteEndpoint?.ToString() ?? "http://127.0.0.1:4567/")
            .Replace("duration: 10m", "duration: 2s").Replace("duration: 5m", "duration: 2s").Replace("pause: 2m", "pause: 1s")
            .Replace("interval: 5s", "interval: 300ms");
        text = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("window:", StringComparison.Ordinal)));
        var path = Path.Combine(dir, profile);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Plan_over_a_10000_instance_fleet_pages_through_everything_and_lists_what_it_picked()
    {
        var fleet = new Fleet();
        fleet.Identities.Add(new FleetIdentity { AccessKeyId = "AKIASIMIANGAMEDAY", SecretAccessKey = "sandbox-game-day-secret", Arn = "arn:aws:sts::123456789012:assumed-role/GameDay/simian" });
        var generator = new FleetInstanceGenerator { Count = 10_000, Asgs = 50 };
        generator.Zones.AddRange(["us-east-1a", "us-east-1b", "us-east-1c"]);
        generator.Tags["app"] = "web";
        generator.Tags["chaos"] = "opt-in";
        fleet.Generate.Add(generator);
        await using var sandbox = await StartSandboxAsync(fleet);
        using var cli = new TestCli(env: Credentials);
        var profile = new GameDayProfile("big-fleet", sandbox.Endpoint.ToString())
            .Web(pick: "{percent: 1}")
            .Safety("allowedRegions: [us-east-1], maxPercent: 1, maxTargets: 100")
            .Step("{name: stop, fault: instance-stop, target: web, duration: 1m}")
            .WriteTo(cli.StateDir, "fleet.yaml");
        var result = await cli.RunAsync("plan", profile, "--output", "json", "--seed", "3");
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var target = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("targets")[0];
        Assert.Equal(10_000, target.GetProperty("matched").GetInt32());
        var selected = target.GetProperty("selected").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(100, selected.Count);
        Assert.Equal(100, selected.Distinct().Count());
        Assert.All(selected, id => Assert.Equal("running", sandbox.State.InstanceState(id)));
        Assert.True(sandbox.State.CallCounts()["ec2:DescribeInstances"] >= 10, "10,000 instances need at least ten pages of 1,000");
    }

    [Fact]
    public async Task Chaos_monkey_terminates_one_opted_in_instance_per_group_and_never_an_exempt_one()
    {
        await using var sandbox = await StartSandboxAsync();
        using var cli = new TestCli(env: Credentials);
        var profile = Adapt("chaos-monkey.yaml", sandbox, cli.StateDir);
        var planFile = Path.Combine(cli.StateDir, "monkey.plan.json");
        var plan = await cli.RunAsync("plan", profile, "--out", planFile);
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        var run = await cli.RunAsync("run", profile, "--plan", planFile, "--output", "json");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var terminated = sandbox.State.Instances().Where(i => i.State is "terminated" or "shutting-down").ToList();
        var groups = terminated.Select(i => i.Tags["aws:autoscaling:groupName"]).ToList();
        Assert.Equal(groups.Distinct().Count(), groups.Count);
        Assert.True(terminated.Count >= 4, $"expected one per opted-in group, got {terminated.Count}");
        Assert.All(terminated, i => Assert.Equal("opt-in", i.Tags["chaos"]));
        Assert.Equal("running", sandbox.State.InstanceState("i-0e0000000000000a1"));
    }

    [Fact]
    public async Task Chaos_gorilla_stops_a_zone_and_starts_every_instance_again()
    {
        await using var sandbox = await StartSandboxAsync();
        using var cli = new TestCli(env: Credentials);
        var profile = Adapt("chaos-gorilla.yaml", sandbox, cli.StateDir);
        var ids = sandbox.State.Instances().Select(i => i.Id).ToList();
        var run = await cli.RunAsync("run", profile, "--yes", "--output", "json");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var json = JsonNode.Parse(run.Stdout)!;
        Assert.True((int)json["injected"]! >= 8);
        Assert.Equal((int)json["injected"]!, (int)json["restored"]!);
        Assert.All(sandbox.State.Instances(), i => Assert.Equal("running", i.State));
        Assert.True(sandbox.State.CallCounts()["ec2:StartInstances"] >= 8);
        // The zone's instances are Auto Scaling group members, and the sandbox replaces a stopped member as AWS
        // does: nothing was replaced (the same ids), and every group's processes are as they were.
        Assert.Equal(ids, sandbox.State.Instances().Select(i => i.Id));
        Assert.All(sandbox.State.AutoScalingGroups(), g => Assert.Empty(g.SuspendedProcesses));
        Assert.All(sandbox.State.AutoScalingGroups(), g => Assert.Empty(g.Activities));
        Assert.True(sandbox.State.CallCounts()["autoscaling:SuspendProcesses"] >= 4);
    }

    [Fact]
    public async Task Zone_outage_cuts_the_zones_network_impairs_its_groups_and_stops_its_instances_together_then_restores_all()
    {
        await using var sandbox = await StartSandboxAsync();
        using var cli = new TestCli(env: Credentials);
        var profile = Adapt("zone-outage.yaml", sandbox, cli.StateDir);
        var acls = sandbox.State.SubnetAcls();
        var aclIds = sandbox.State.NetworkAcls();
        // The zone's opted-in on-demand instances; its Spot Instance (which instance-stop refuses) is left out by the selector.
        var zoneB = sandbox.State.Instances().Where(i => i.Zone == "us-east-1b" && i.State == "running" && i.Tags.GetValueOrDefault("chaos") == "opt-in" && !i.Spot)
            .Select(i => i.Id).Order(StringComparer.Ordinal).ToList();

        var plan = await cli.RunAsync("plan", profile, "--param", "zone=us-east-1b", "--output", "json");
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        var targets = JsonNode.Parse(plan.Stdout)!["targets"]!.AsArray();
        IEnumerable<string> Selected(string name) =>
            targets.Single(t => (string?)t!["name"] == name)!["selected"]!.AsArray().Select(n => (string)n!).Order(StringComparer.Ordinal);
        Assert.Equal(["subnet-us-east-1b"], Selected("zone-subnets"));
        Assert.Equal(zoneB, Selected("zone-instances"));
        Assert.Equal(["api-asg-01", "api-asg-02", "web-asg-01", "web-asg-02"], Selected("zone-groups"));

        var journal = Path.Combine(cli.StateDir, "zone.jsonl");
        var run = await cli.RunAsync("run", profile, "--yes", "--param", "zone=us-east-1b", "--journal", journal, "--output", "json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var events = RunCommandTests.ReadJournal(journal);
        // All three steps started before any ended: the zone went dark all at once.
        var firstEnd = events.FindIndex(e => (string?)e["event"] == "step" && (string?)e["phase"] == "end");
        Assert.Equal(3, events.Take(firstEnd).Count(e => (string?)e["event"] == "step" && (string?)e["phase"] == "start"));
        Assert.Contains(events, e => (string?)e["event"] == "intent" && (string?)e["fault"] == "network-blackhole");
        Assert.Equal(acls, sandbox.State.SubnetAcls());
        Assert.Equal(aclIds, sandbox.State.NetworkAcls());
        Assert.All(sandbox.State.Instances().Where(i => zoneB.Contains(i.Id)), i => Assert.Equal("running", i.State));
        Assert.True(sandbox.State.CallCounts()["ec2:ReplaceNetworkAclAssociation"] >= 2);
        Assert.True(sandbox.State.CallCounts()["ec2:DeleteNetworkAcl"] >= 1);
        // Each group lost the zone's subnet and got it back (two updates each), with AZRebalance suspended meanwhile and
        // resumed after: nothing in a group was terminated or replaced.
        Assert.Equal(8, sandbox.State.CallCounts()["autoscaling:UpdateAutoScalingGroup"]);
        Assert.All(sandbox.State.AutoScalingGroups(), g => Assert.Empty(g.SuspendedProcesses));
        Assert.All(sandbox.State.AutoScalingGroups(), g => Assert.Empty(g.Activities));
    }

    [Fact]
    public async Task S3_region_outage_denies_every_opted_in_bucket_and_blackholes_the_endpoint_then_restores_the_policy_exactly()
    {
        await using var sandbox = await StartSandboxAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        using var cli = new TestCli(env: Credentials);
        var path = Adapt("s3-region-outage.yaml", sandbox, cli.StateDir);
        File.WriteAllText(path, File.ReadAllText(path).Replace("127.0.0.1:24566", $"127.0.0.1:{Wait.FreePort()}"));
        var planFile = Path.Combine(cli.StateDir, "region.plan.json");
        var plan = await cli.RunAsync("plan", path, "--out", planFile);
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        Assert.Contains("[together with cut-endpoint]", plan.Stdout);

        var run = await cli.RunAsync("run", path, "--plan", planFile, "--output", "json");

        // The finding the profile expects until the site has a fallback: the probe saw the outage.
        Assert.True(run.ExitCode == ExitCodes.Deviated, run.ToString());
        var json = JsonNode.Parse(run.Stdout)!;
        Assert.Contains("403", (string?)json["probes"]![0]!["lastFailure"]);
        Assert.Equal((int)json["injected"]!, (int)json["restored"]!);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
    }

    /// <summary>
    /// The plan dry-runs the stop and its undo: a caller who could stop instances but not start them again is
    /// refused before anything changes, with the missing action named
    /// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html, DryRun).
    /// </summary>
    [Fact]
    public async Task A_caller_who_could_not_start_the_instances_again_is_refused_before_anything_changes()
    {
        var fleet = SampleFleet();
        fleet.Identities.Single(i => i.AccessKeyId == "AKIASIMIANGAMEDAY").DeniedActions.Add("ec2:StartInstances");
        await using var sandbox = await StartSandboxAsync(fleet);
        using var cli = new TestCli(env: Credentials);
        var profile = Adapt("chaos-gorilla.yaml", sandbox, cli.StateDir);

        var plan = await cli.RunAsync("plan", profile);
        Assert.True(plan.ExitCode == ExitCodes.Refused, plan.ToString());
        Assert.Contains("[refused] to undo: ec2:StartInstances on 8 instance(s): not allowed — the caller lacks ec2:StartInstances", plan.Stdout);
        Assert.Contains("[FAIL] preflight: not running: step 'zone-down': to undo: ec2:StartInstances", plan.Stdout);

        var run = await cli.RunAsync("run", profile, "--yes");
        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.All(sandbox.State.Instances().Where(i => i.Tags.GetValueOrDefault("chaos") == "opt-in" && !i.Spot), i => Assert.Equal("running", i.State));
        Assert.False(sandbox.State.CallCounts().ContainsKey("ec2:StopInstances"));
        Assert.False(sandbox.State.CallCounts().ContainsKey("autoscaling:SuspendProcesses"));
    }

    [Fact]
    public async Task S3_outage_denies_reads_while_held_and_restores_the_policy_byte_for_byte()
    {
        await using var sandbox = await StartSandboxAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        using var cli = new TestCli(env: Credentials);
        var profile = Adapt("s3-outage.yaml", sandbox, cli.StateDir);
        var planFile = Path.Combine(cli.StateDir, "s3.plan.json");
        Assert.Equal(ExitCodes.Ok, (await cli.RunAsync("plan", profile, "--out", planFile)).ExitCode);
        var run = await cli.RunAsync("run", profile, "--plan", planFile, "--output", "json");
        Assert.True(run.ExitCode == ExitCodes.Deviated, run.ToString());
        Assert.Contains("403", (string?)JsonNode.Parse(run.Stdout)!["probes"]![0]!["lastFailure"]);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
    }

    [Fact]
    public async Task After_SIGKILL_recover_starts_stopped_instances_and_restores_the_bucket_policy_exactly()
    {
        await using var sandbox = await StartSandboxAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        using var cli = new TestCli(env: Credentials);
        var profile = GameDayProfile.StopTwoAndDeny("aws-crash", sandbox.Endpoint.ToString()).WriteTo(cli.StateDir, "crash.yaml");
        var journal = Path.Combine(cli.StateDir, "aws-crash.jsonl");
        List<string> stopped;
        using (var run = new SimianProcess(cli.StateDir, Credentials, "run", profile, "--yes", "--journal", journal))
        {
            await Wait.UntilAsync(() => File.Exists(journal) && File.ReadAllText(journal).Split('\n').Count(l => l.Contains("\"event\":\"applied\"")) == 3,
                TimeSpan.FromSeconds(60), "three changes applied\n" + run.Stderr);
            run.Process.Kill();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
            stopped = RunCommandTests.ReadJournal(journal).Where(e => (string?)e["event"] == "intent" && (string?)e["fault"] == "instance-stop")
                .Select(e => (string)e["resource"]!["id"]!).ToList();
        }
        Assert.Equal(2, stopped.Count);
        Assert.All(stopped, id => Assert.Equal("stopped", sandbox.State.InstanceState(id)));
        Assert.NotEqual(original, sandbox.State.BucketPolicy("site-assets"));

        var recover = await cli.RunAsync("recover", "--journal", journal);
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        Assert.All(stopped, id => Assert.Equal("running", sandbox.State.InstanceState(id)));
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));

        var again = await cli.RunAsync("recover", "--journal", journal);
        Assert.Contains("nothing to recover", again.Stdout);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
    }

    /// <summary>
    /// An SSO profile works: the SDK reads the cached IAM Identity Center token and calls GetRoleCredentials
    /// (https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html), which the
    /// sandbox serves; the role's temporary credentials then sign every call. Before the SSO packages were
    /// referenced this failed with a missing-assembly error.
    /// </summary>
    [Fact]
    public async Task An_SSO_profile_gets_role_credentials_and_plans()
    {
        var fleet = SampleFleet();
        fleet.Identities.Add(new FleetIdentity
        {
            AccessKeyId = "ASIASIMIANSSO",
            SecretAccessKey = "sso-role-secret",
            SessionToken = "sso-role-session",
            Arn = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_GameDay_0123456789abcdef/oncall",
            SsoAccessToken = "sso-access-token",
            SsoRoleName = "GameDay",
        });
        await using var sandbox = await StartSandboxAsync(fleet);
        var home = Directory.CreateTempSubdirectory("simian-sso-home-").FullName;
        try
        {
            const string StartUrl = "https://simian.awsapps.com/start";
            var cache = Directory.CreateDirectory(Path.Combine(home, ".aws", "sso", "cache")).FullName;
            var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(StartUrl)));
            File.WriteAllText(Path.Combine(cache, key + ".json"),
                $$"""{"startUrl": "{{StartUrl}}", "region": "us-east-1", "accessToken": "sso-access-token", "expiresAt": "{{DateTime.UtcNow.AddHours(2):yyyy-MM-ddTHH:mm:ssZ}}"}""");
            var config = Path.Combine(home, ".aws", "config");
            File.WriteAllText(config, $"""
                [profile gameday-sso]
                sso_start_url = {StartUrl}
                sso_region = us-east-1
                sso_account_id = 123456789012
                sso_role_name = GameDay
                region = us-east-1
                """);
            var profile = Adapt("chaos-gorilla.yaml", sandbox, home);
            var env = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["AWS_CONFIG_FILE"] = config,
                ["AWS_PROFILE"] = "gameday-sso",
                ["AWS_ENDPOINT_URL_SSO"] = sandbox.Endpoint.ToString().TrimEnd('/'),
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            };

            var plan = await SimianProcess.RunToEndAsync(home, env, TimeSpan.FromSeconds(120), "plan", profile, "--output", "json");
            Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
            Assert.Equal(1, sandbox.State.CallCounts().GetValueOrDefault("sso:GetRoleCredentials"));
            Assert.True(JsonNode.Parse(plan.Stdout)!["targets"]![0]!["selected"]!.AsArray().Count >= 8);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_credentials_or_an_unreachable_endpoint_is_a_provider_error_with_exit_4()
    {
        using var cli = new TestCli();
        var profile = Path.Combine(cli.StateDir, "nowhere.yaml");
        File.WriteAllText(profile, """
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: nowhere}
            providers:
              aws: {region: us-east-1, endpoint: "http://127.0.0.1:9"}
            targets:
              web: {type: aws:ec2:instance, selector: {tags: {app: web}}}
            method:
              - {name: stop, fault: instance-stop, target: web, duration: 1m}
            """);
        var result = await cli.RunAsync("plan", profile);
        Assert.Equal(ExitCodes.Provider, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Contains("simian:", result.Stderr);
    }
}
