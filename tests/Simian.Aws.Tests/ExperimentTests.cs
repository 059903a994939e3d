using Simian.Aws.Tests.TestSupport;
using Simian.Core.Planning;
using Simian.Core.Probes;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Core.Safety;

namespace Simian.Aws.Tests;

/// <summary>The provider as the CLI drives it: a profile loaded, planned with the guard, run and rolled back.</summary>
public sealed class ExperimentTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("simian-aws-run-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string Profile(string endpoint, string safety) => $"""
        apiVersion: simian/v1
        kind: Experiment
        metadata: {"{"}name: aws-game-day{"}"}
        providers:
          aws: {"{"}region: us-east-1, endpoint: "{endpoint}"{"}"}
        targets:
          web:
            type: aws:ec2:instance
            selector: {"{"}tags: {"{"}chaos: opt-in{"}"}, states: [running]{"}"}
            pick: {"{"}count: 1, per: zone{"}"}
          assets:
            type: aws:s3:bucket
            selector: {"{"}names: [site-assets]{"}"}
        safety:
        {safety}
        method:
          - {"{"}name: deny-assets, fault: bucket-deny, target: assets{"}"}
          - {"{"}name: stop-web, fault: instance-stop, target: web, duration: 200ms{"}"}
        rollback: always
        """;

    private (ProfileLoader Loader, Planner Planner, ExperimentRunner Runner) Build(AwsSandbox sandbox)
    {
        var registry = new ProviderRegistry([sandbox.Provider]);
        var locks = new TargetLocks(Path.Combine(_dir.FullName, "locks"));
        var undo = new UndoExecutor(TimeProvider.System, attempts: 3, firstDelay: TimeSpan.FromMilliseconds(10));
        return (
            new ProfileLoader(registry),
            new Planner(registry, SafetyGuard.Default(), TimeProvider.System, locks),
            new ExperimentRunner(registry, new ProbeRunner(new HttpClient(), TimeProvider.System), TimeProvider.System, NullRunObserver.Instance, undo));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_planned_run_injects_both_faults_and_ends_them_all()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var (loader, planner, runner) = Build(sandbox);
        var loaded = loader.LoadText(Profile(sandbox.Endpoint, "  {allowedRegions: [us-east-1], allowedAccounts: ['123456789012'], excludeTags: {app: batch}}"), Path.Combine(_dir.FullName, "p.yaml"));
        Assert.True(loaded.Ok, string.Join("\n", loaded.Diagnostics));
        var plan = await planner.PlanAsync(loaded.Experiment!, seed: 1, AwsSandbox.Timeout());
        Assert.True(plan.Allowed, string.Join("\n", plan.Guard.Where(g => !g.Passed).Select(g => g.Detail)));
        Assert.Equal(["i-0000000000000web1", "i-0000000000000web2"], plan.Target("web").Selected.Select(r => r.Id));

        using var interruption = new Interruption();
        var outcome = await runner.RunAsync(plan, new RunOptions("e2e2", Path.Combine(_dir.FullName, "run.journal"), false), interruption);

        Assert.True(outcome.ExitCode == Simian.Core.ExitCodes.Ok, outcome.Reason);
        Assert.Equal(3, outcome.Injected);
        Assert.Equal(3, outcome.Restored);
        Assert.Null(sandbox.State.BucketPolicy("site-assets"));
        Assert.Equal(2, sandbox.State.CallCounts()["ec2:StartInstances"]);
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_refused_spot_instance_aborts_the_run_and_everything_is_rolled_back()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var (loader, planner, runner) = Build(sandbox);
        var loaded = loader.LoadText(Profile(sandbox.Endpoint, "  {allowedRegions: [us-east-1], allowedAccounts: ['123456789012'], maxTargets: 5}"), Path.Combine(_dir.FullName, "p.yaml"));
        Assert.True(loaded.Ok, string.Join("\n", loaded.Diagnostics));

        var plan = await planner.PlanAsync(loaded.Experiment!, seed: 1, AwsSandbox.Timeout());
        Assert.True(plan.Allowed, string.Join("\n", plan.Guard.Where(g => !g.Passed).Select(g => g.Detail)));
        var web = plan.Target("web").Selected;
        // One per zone among the running opt-in instances (spot1 is alone in us-east-1c).
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], web.Select(r => r.Zone!).Order());
        Assert.Contains(web, r => r.Id == "i-000000000000spot1");

        using var interruption = new Interruption();
        var outcome = await runner.RunAsync(plan, new RunOptions("e2e1", Path.Combine(_dir.FullName, "run.journal"), false), interruption);

        // The spot instance is refused, which aborts the run (exit 4) and rolls back what was done.
        Assert.Equal(Simian.Core.ExitCodes.Provider, outcome.ExitCode);
        Assert.Contains("spot instances cannot be stopped safely; not stopping i-000000000000spot1", outcome.Reason);
        Assert.Empty(outcome.NotRestored);
        Assert.Null(sandbox.State.BucketPolicy("site-assets"));
        Assert.All(web, r => Assert.Equal("running", sandbox.State.InstanceState(r.Id)));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_guard_refuses_resources_outside_the_allowed_account_or_region()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var (loader, planner, _) = Build(sandbox);
        var loaded = loader.LoadText(Profile(sandbox.Endpoint, "  {allowedRegions: [eu-west-1], allowedAccounts: ['999999999999']}"), Path.Combine(_dir.FullName, "p.yaml"));
        Assert.True(loaded.Ok, string.Join("\n", loaded.Diagnostics));

        var plan = await planner.PlanAsync(loaded.Experiment!, seed: 1, AwsSandbox.Timeout());
        Assert.False(plan.Allowed);
        Assert.Contains(plan.Guard, g => g.Check == "allowedRegions" && !g.Passed);
        Assert.Contains(plan.Guard, g => g.Check == "allowedAccounts" && !g.Passed);
    }
}
