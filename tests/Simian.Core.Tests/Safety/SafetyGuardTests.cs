using Simian.Core.Planning;
using Simian.Core.Safety;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Safety;

public sealed class SafetyGuardTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TargetLocks _locks;

    public SafetyGuardTests() => _locks = new TargetLocks(_dir.File("locks"));

    public void Dispose()
    {
        _locks.ReleaseAll();
        _dir.Dispose();
    }

    private async Task<Plan> PlanAsync(ThingWorld world, string text, SafetyGuard? guard = null) =>
        await ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, text), _locks, guard: guard);

    [Fact]
    public async Task Default_guard_runs_every_check_and_allows_a_harmless_plan()
    {
        var plan = await PlanAsync(new ThingWorld(ThingWorld.Many(2)), ThingProfiles.Text());

        Assert.Equal(["window", "maxTargets", "maxPercent", "allowedRegions", "allowedAccounts", "irreversible", "maxDuration", "targetLocks", "selection", "preflight"],
            plan.Guard.Select(g => g.Check));
        Assert.True(plan.Allowed, string.Join("\n", plan.Guard));
    }

    [Theory]
    [InlineData(5, true, "5 selected ≤ 5")]
    [InlineData(6, false, "not running: 6 targets selected, more than maxTargets 5")]
    public async Task Max_targets_caps_the_whole_experiment(int resources, bool allowed, string detail)
    {
        var plan = await PlanAsync(new ThingWorld(ThingWorld.Many(resources)), ThingProfiles.Text(safety: "  maxTargets: 5\n"));

        var verdict = ThingProfiles.Verdict(plan, "maxTargets");
        Assert.Equal((allowed, detail), (verdict.Passed, verdict.Detail));
        Assert.Equal(allowed, plan.Allowed);
    }

    [Fact]
    public async Task Max_targets_counts_every_target_and_step_once()
    {
        var world = new ThingWorld(ThingWorld.Many(3));
        var text = "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: x}\n" +
            "targets:\n  a: {type: test:thing}\n  b: {type: test:thing}\nsafety: {maxTargets: 5}\n" +
            "method:\n  - {fault: break, target: a}\n  - {fault: slow, target: a}\n  - {fault: break, target: b}\n";

        var plan = await PlanAsync(world, text);

        Assert.False(ThingProfiles.Verdict(plan, "maxTargets").Passed);
        Assert.Equal(6, plan.SelectedCount);
    }

    [Theory]
    [InlineData(3, true, "things 3/10 = 30% ≤ 34%")]
    [InlineData(4, false, "not running: things 4/10 = 40% exceeds maxPercent 34%")]
    public async Task Max_percent_caps_the_share_of_matches(int count, bool allowed, string detail)
    {
        var plan = await PlanAsync(new ThingWorld(ThingWorld.Many(10)), ThingProfiles.Text(pick: $", pick: {{count: {count}}}", safety: "  maxPercent: 34\n"));

        var verdict = ThingProfiles.Verdict(plan, "maxPercent");
        Assert.Equal((allowed, detail), (verdict.Passed, verdict.Detail));
    }

    [Fact]
    public async Task Max_percent_measures_against_everything_matched_including_exclusions()
    {
        // Two opted in out of ten: taking both is 20% of the fleet, not 100% of the eligible.
        var resources = ThingWorld.Many(10).Select((r, i) => r with { Tags = new Dictionary<string, string> { ["chaos"] = i < 2 ? "opt-in" : "no" } }).ToArray();

        var plan = await PlanAsync(new ThingWorld(resources), ThingProfiles.Text(safety: "  maxPercent: 25\n  requireTags: {chaos: opt-in}\n"));

        Assert.True(ThingProfiles.Verdict(plan, "maxPercent").Passed);
    }

    [Theory]
    [InlineData("us-east-1", "123456789012", true, true)]
    [InlineData("eu-west-1", "123456789012", false, true)]
    [InlineData("us-east-1", "999999999999", true, false)]
    [InlineData(null, null, false, false)]
    public async Task Allowed_regions_and_accounts_refuse_anything_outside_or_unknown(string? region, string? account, bool regionOk, bool accountOk)
    {
        var world = new ThingWorld(ThingWorld.R("ok", region: "us-east-1", account: "123456789012"), ThingWorld.R("x", region: region, account: account));

        var plan = await PlanAsync(world, ThingProfiles.Text(safety: "  allowedRegions: [us-east-1]\n  allowedAccounts: [\"123456789012\"]\n"));

        var regions = ThingProfiles.Verdict(plan, "allowedRegions");
        var accounts = ThingProfiles.Verdict(plan, "allowedAccounts");
        Assert.Equal((regionOk, accountOk), (regions.Passed, accounts.Passed));
        if (!regionOk) Assert.Equal($"not running: x (region {region ?? "unknown"}) outside allowed regions us-east-1", regions.Detail);
        if (!accountOk) Assert.Contains($"x (account {account ?? "unknown"})", accounts.Detail);
        Assert.Equal(regionOk && accountOk, plan.Allowed);
    }

    [Fact]
    public async Task Region_rules_do_not_apply_to_local_targets()
    {
        var world = new ReferenceWorld();
        world.Proxy.Resources = [new Simian.Core.Providers.Resource { Id = "orders-db" }];
        var text = "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: x}\ntargets:\n  api: {type: local:proxy}\n" +
            "safety: {allowedRegions: [us-east-1], allowedAccounts: ['1']}\nmethod:\n  - {fault: disconnect, target: api}\n";
        var experiment = new Simian.Core.Profiles.ProfileLoader(world.Registry).LoadText(text, "p.yaml").Experiment!;

        var plan = await new Planner(world.Registry, SafetyGuard.Default(), TimeProvider.System, _locks).PlanAsync(experiment, 1, CancellationToken.None);

        Assert.True(plan.Allowed, string.Join("\n", plan.Guard));
        Assert.StartsWith("no cloud targets selected", ThingProfiles.Verdict(plan, "allowedRegions").Detail);
    }

    [Theory]
    [InlineData("local:gadget", true, true)]
    [InlineData("rack:server", false, false)]
    public async Task Scope_and_tag_rules_follow_what_a_type_declares_not_its_name(string typeName, bool scoped, bool tagged)
    {
        // A type named like a local one but declaring cloud traits is checked; one with another name declaring none is not.
        var log = new CallLog();
        var type = new FakeTargetType(typeName, new FakeFault("unplug", log))
        {
            Traits = new Simian.Core.Providers.TargetTraits(scoped, tagged, Zoned: false),
            Resources = [new Simian.Core.Providers.Resource { Id = "g1" }],
        };
        var registry = new Simian.Core.Providers.ProviderRegistry([new FakeProvider(typeName.Split(':')[0], [], type)]);
        async Task<Plan> PlanWith(string safety)
        {
            var text = $"apiVersion: simian/v1\nkind: Experiment\nmetadata: {{name: x}}\ntargets:\n  g: {{type: {typeName}}}\n" +
                $"safety: {safety}\nmethod:\n  - {{fault: unplug, target: g}}\n";
            var experiment = new Simian.Core.Profiles.ProfileLoader(registry).LoadText(text, "p.yaml").Experiment!;
            return await new Planner(registry, SafetyGuard.Default(), TimeProvider.System, _locks).PlanAsync(experiment, 1, CancellationToken.None);
        }

        var regions = await PlanWith("{allowedRegions: [us-east-1]}");
        var tags = await PlanWith("{requireTags: {team: checkout}}");

        Assert.Equal(!scoped, ThingProfiles.Verdict(regions, "allowedRegions").Passed);
        Assert.Equal(tagged ? 0 : 1, tags.Target("g").Selected.Count);
        if (tagged) Assert.Contains("tags unknown", Assert.Single(tags.Target("g").Excluded).Reason);
    }

    [Fact]
    public async Task Irreversible_fault_without_permission_refuses()
    {
        var plan = await PlanAsync(new ThingWorld(ThingWorld.Many(1)), ThingProfiles.Text(method: "  - {name: k, fault: kill, target: things}\n"));

        var verdict = ThingProfiles.Verdict(plan, "irreversible");
        Assert.False(verdict.Passed);
        Assert.False(plan.Allowed);
        Assert.Equal("not running: step 'k' (kill) cannot be undone; add 'irreversible: allowed' to the step to permit it", verdict.Detail);
    }

    [Fact]
    public async Task Irreversible_fault_with_permission_is_allowed_and_named()
    {
        var plan = await PlanAsync(new ThingWorld(ThingWorld.Many(1)), ThingProfiles.Text(method: "  - {name: k, fault: kill, target: things, irreversible: allowed}\n"));

        var verdict = ThingProfiles.Verdict(plan, "irreversible");
        Assert.True(verdict.Passed);
        Assert.Equal("irreversible steps allowed by the profile: k", verdict.Detail);
    }

    [Fact]
    public async Task A_check_that_throws_refuses_and_says_what_would_have_been_hit()
    {
        var guard = new SafetyGuard([new MaxTargetsCheck(), new ThrowingCheck()]);

        var plan = await PlanAsync(new ThingWorld(ThingWorld.Many(3)), ThingProfiles.Text(), guard);

        Assert.False(plan.Allowed);
        Assert.True(ThingProfiles.Verdict(plan, "maxTargets").Passed);
        var verdict = ThingProfiles.Verdict(plan, "flaky");
        Assert.False(verdict.Passed);
        Assert.Equal("not running: the check could not decide (InvalidOperationException: lookup service down); 3 target(s) would have been hit", verdict.Detail);
    }

    [Fact]
    public async Task Window_in_an_unknown_time_zone_fails_closed()
    {
        var world = new ThingWorld(ThingWorld.Many(1));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text(safety: "  window: {start: \"00:00\", end: \"23:59\"}\n"));
        // The loader refuses unknown zones; a zone database that changed between validate and run must still refuse.
        experiment = experiment with { Safety = experiment.Safety with { Window = experiment.Safety.Window! with { TimeZoneId = "Mars/Olympus" } } };

        var plan = await ThingProfiles.PlanAsync(world, experiment, _locks);

        var verdict = ThingProfiles.Verdict(plan, "window");
        Assert.False(verdict.Passed);
        Assert.StartsWith("not running: the check could not decide (TimeZoneNotFoundException", verdict.Detail);
    }

    [Fact]
    public async Task Max_duration_check_refuses_a_method_longer_than_the_limit()
    {
        var world = new ThingWorld(ThingWorld.Many(1));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text(method: "  - {fault: break, target: things, duration: 2m}\n"));
        experiment = experiment with { Safety = experiment.Safety with { MaxDuration = TimeSpan.FromMinutes(1) } };

        var plan = await ThingProfiles.PlanAsync(world, experiment, _locks);

        Assert.Equal("not running: method lasts 2m, more than maxDuration 1m", ThingProfiles.Verdict(plan, "maxDuration").Detail);
    }

    private sealed class ThrowingCheck : IGuardCheck
    {
        public string Name => "flaky";

        public GuardVerdict Evaluate(GuardInput input) => throw new InvalidOperationException("lookup service down");
    }
}
