using Microsoft.Extensions.Time.Testing;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Safety;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Planning;

public sealed class PlannerTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TargetLocks _locks;

    public PlannerTests() => _locks = new TargetLocks(_dir.File("locks"));

    public void Dispose()
    {
        _locks.ReleaseAll();
        _dir.Dispose();
    }

    [Fact]
    public async Task Tag_rules_exclude_resources_and_say_why()
    {
        var world = new ThingWorld(
            ThingWorld.R("in", tags: [("chaos", "opt-in")]),
            ThingWorld.R("exempt", tags: [("chaos", "opt-in"), ("tier", "db")]),
            ThingWorld.R("bare"),
            ThingWorld.R("other", tags: ("chaos", "maybe")));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text(safety: "  requireTags: {chaos: opt-in}\n  excludeTags: {tier: db}\n"));

        var plan = await ThingProfiles.PlanAsync(world, experiment, _locks);

        var target = plan.Target("things");
        Assert.Equal(4, target.Matched);
        Assert.Equal(["in"], target.Selected.Select(r => r.Id));
        Assert.Equal(
        [
            new Exclusion("bare", "requireTags: lacks chaos=opt-in"),
            new Exclusion("exempt", "excludeTags: has tier=db"),
            new Exclusion("other", "requireTags: chaos=maybe, not opt-in"),
        ], target.Excluded);
    }

    [Fact]
    public async Task Excluded_resources_are_never_picked()
    {
        var resources = Enumerable.Range(1, 20).Select(i => ThingWorld.R($"t{i:00}", tags: ("chaos", i % 2 == 0 ? "opt-in" : "no"))).ToArray();
        var world = new ThingWorld(resources);
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text(pick: ", pick: {count: 5}", safety: "  requireTags: {chaos: opt-in}\n"));

        for (var seed = 0; seed < 10; seed++)
        {
            var plan = await ThingProfiles.PlanAsync(world, experiment, _locks, seed: seed);

            var target = plan.Target("things");
            Assert.Equal(5, target.Selected.Count);
            Assert.All(target.Selected, r => Assert.Equal("opt-in", r.Tags!["chaos"]));
            Assert.Equal(15, target.Excluded.Count);
        }
    }

    [Fact]
    public async Task Steps_list_the_resources_they_will_touch_and_whether_they_can_be_undone()
    {
        var world = new ThingWorld(ThingWorld.Many(3));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text(
            method: "  - {name: b, fault: break, target: things, duration: 1s}\n  - {pause: 2s}\n  - {name: k, fault: kill, target: things, irreversible: allowed}\n"));

        var plan = await ThingProfiles.PlanAsync(world, experiment, _locks);

        Assert.Equal(3, plan.Method.Count);
        Assert.Equal(("break", true), (plan.Method[0].Fault!, plan.Method[0].Reversible));
        Assert.Equal(["t1", "t2", "t3"], plan.Method[0].ResourceIds);
        Assert.Equal(("wait 2s", 0), (plan.Method[1].Description, plan.Method[1].ResourceIds.Count));
        Assert.Equal(("kill", false), (plan.Method[2].Fault!, plan.Method[2].Reversible));
        Assert.Equal(3, plan.SelectedCount);
    }

    [Fact]
    public async Task Plan_records_the_seed_and_the_time_it_was_made()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var world = new ThingWorld(ThingWorld.Many(2));

        var plan = await ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, ThingProfiles.Text()), _locks, time, seed: 77);

        Assert.Equal(77, plan.Seed);
        Assert.Equal(time.GetUtcNow(), plan.CreatedAt);
        Assert.True(plan.Allowed, string.Join("\n", plan.Guard));
    }

    [Fact]
    public async Task Fingerprint_is_stable_for_the_same_selection_whatever_the_listing_order()
    {
        var world = new ThingWorld(ThingWorld.Many(5));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text());

        var a = await ThingProfiles.PlanAsync(world, experiment, _locks);
        world.Thing.Resources = world.Thing.Resources.Reverse().ToArray();
        var b = await ThingProfiles.PlanAsync(world, experiment, _locks, seed: 99);

        Assert.StartsWith("sha256:", a.Fingerprint);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
    }

    [Fact]
    public async Task Fingerprint_changes_when_the_selection_changes()
    {
        var world = new ThingWorld(ThingWorld.Many(5));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text());
        var before = await ThingProfiles.PlanAsync(world, experiment, _locks);

        world.Thing.Resources = ThingWorld.Many(4);
        var fewer = await ThingProfiles.PlanAsync(world, experiment, _locks);
        world.Thing.Resources = [.. ThingWorld.Many(4), ThingWorld.R("t9")];
        var swapped = await ThingProfiles.PlanAsync(world, experiment, _locks);

        Assert.Equal(3, new[] { before.Fingerprint, fewer.Fingerprint, swapped.Fingerprint }.Distinct().Count());
    }

    [Fact]
    public async Task Fingerprint_follows_the_seed_only_through_the_selection()
    {
        var world = new ThingWorld(ThingWorld.Many(30));
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text(pick: ", pick: {count: 3}"));

        var plans = new List<Plan>();
        for (var seed = 0; seed < 6; seed++) plans.Add(await ThingProfiles.PlanAsync(world, experiment, _locks, seed: seed));

        var bySelection = plans.GroupBy(p => string.Join(",", p.Target("things").Selected.Select(r => r.Id)));
        Assert.True(bySelection.Count() > 1);
        Assert.All(bySelection, g => Assert.Single(g.Select(p => p.Fingerprint).Distinct()));
        Assert.Equal(bySelection.Count(), plans.Select(p => p.Fingerprint).Distinct().Count());
    }

    [Fact]
    public async Task Provider_failure_while_resolving_is_a_provider_error_with_secrets_masked()
    {
        var world = new ThingWorld();
        world.Thing.ResolveError = new HttpRequestException("403 for key AKIAABCDEFGHIJKLMNOP");
        var experiment = ThingProfiles.Load(world, ThingProfiles.Text());

        var e = await Assert.ThrowsAsync<ProviderException>(() => ThingProfiles.PlanAsync(world, experiment, _locks));

        Assert.Equal(ExitCodes.Provider, e.ExitCode);
        Assert.Contains("cannot resolve target 'things' (test:thing)", e.Message);
        Assert.DoesNotContain("AKIAABCDEFGHIJKLMNOP", e.Message);
    }

    [Fact]
    public async Task Simian_errors_from_a_provider_pass_through_unchanged()
    {
        var world = new ThingWorld();
        world.Thing.ResolveError = new RefusedException("no credentials for the sandbox");

        var e = await Assert.ThrowsAsync<RefusedException>(() =>
            ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, ThingProfiles.Text()), _locks));

        Assert.Equal("no credentials for the sandbox", e.Message);
    }

    [Fact]
    public void Fingerprint_covers_content_and_per_target_selection()
    {
        static TargetPlan T(string name, params string[] ids) =>
            new(name, "test:thing", PickSpec.All, ids.Length, ids.Select(id => ThingWorld.R(id)).ToList(), []);

        var baseline = Fingerprint.Compute("{}", [T("a", "1", "2"), T("b", "3")]);

        Assert.Equal(baseline, Fingerprint.Compute("{}", [T("b", "3"), T("a", "2", "1")]));
        Assert.NotEqual(baseline, Fingerprint.Compute("{ }", [T("a", "1", "2"), T("b", "3")]));
        Assert.NotEqual(baseline, Fingerprint.Compute("{}", [T("a", "1"), T("b", "2", "3")]));
        Assert.NotEqual(baseline, Fingerprint.Compute("{}", [T("a", "1", "2"), T("c", "3")]));
    }
}
