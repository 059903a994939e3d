using System.Text.Json.Nodes;
using Simian.Core.Journal;
using Simian.Reliability.Tests.Support;
using Simian.Sandbox;

namespace Simian.Reliability.Tests.CloudFaults;

/// <summary>
/// Full runs through the CLI while the sandbox answers 30% of all calls with throttling (15%) or a 500 (15%):
/// the retries must carry every call through, so each run ends exactly as it would against a healthy cloud.
/// The steady state is measured by a loopback site that reads the sandbox's state directly, so the probes
/// see the experiment's effect and not the injected errors.
/// </summary>
public sealed class FlakyCloudTests
{
    public static TheoryData<int> Seeds => [11, 22, 33];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Instance_stop_holds_its_hypothesis_and_starts_every_instance_again_while_30_percent_of_calls_fail(int seed)
    {
        var log = new StringWriter();
        await using var sandbox = await AwsSandbox.StartAsync(seed, throttleRate: 0.15, errorRate: 0.15, log: log);
        // The web tier is healthy while at least 9 of its 12 instances run.
        using var site = new LoopbackSite(_ => RunningWeb(sandbox) >= 9 ? 200 : 503);
        using var cli = new TestCli(env: AwsSandbox.GameDay);
        var profile = new GameDayProfile("flaky-stop", AwsSandbox.EndpointOf(sandbox))
            .Web(pick: "{count: 3}")
            .Safety("maxTargets: 3")
            .SteadyState($"interval: 200ms\ntolerance: 2\nprobes:\n  - {{name: web-serving, http: {{url: \"{site.Url("/web")}\", expectStatus: 200, timeout: 2s}}}}")
            .Step("{name: stop-three, fault: instance-stop, target: web, duration: 1s}")
            .Rollback("always")
            .WriteTo(cli.StateDir, "stop.yaml");
        var journal = Path.Combine(cli.StateDir, "stop.jsonl");

        var run = await cli.RunAsync("run", profile, "--yes", "--output", "json", "--journal", journal, "--seed", seed.ToString());

        Assert.True(run.ExitCode == 0, run + "\n--- sandbox\n" + log);
        var json = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("completed", (string?)json["status"]);
        Assert.Equal(3, (int)json["injected"]!);
        Assert.Equal(3, (int)json["restored"]!);
        Assert.All(sandbox.State.Instances(), i => Assert.Equal("running", i.State));
        var state = JournalState.Read(journal);
        Assert.Equal(3, state.Changes.Count(c => c.Applied && c.UndoneBy == "duration"));
        Assert.Empty(state.Pending);
        AssertErrorsWereInjected(log.ToString());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Bucket_deny_deviates_as_designed_and_restores_the_policy_byte_for_byte_while_30_percent_of_calls_fail(int seed)
    {
        var log = new StringWriter();
        await using var sandbox = await AwsSandbox.StartAsync(seed, throttleRate: 0.15, errorRate: 0.15, log: log);
        var original = sandbox.State.BucketPolicy("site-assets");
        Assert.NotNull(original);
        // The site serves its assets while the bucket's policy is the one it was built for.
        using var site = new LoopbackSite(_ => sandbox.State.BucketPolicy("site-assets") == original ? 200 : 403);
        using var cli = new TestCli(env: AwsSandbox.GameDay);
        var profile = new GameDayProfile("flaky-deny", AwsSandbox.EndpointOf(sandbox))
            .Assets()
            .Safety("maxTargets: 1")
            .SteadyState($"interval: 200ms\ntolerance: 2\nabortOnDeviation: false\nprobes:\n  - {{name: assets-readable, http: {{url: \"{site.Url("/assets")}\", expectStatus: 200, timeout: 2s}}}}")
            .Step("{name: deny-reads, fault: bucket-deny, target: assets, params: {actions: [\"s3:GetObject\", \"s3:ListBucket\"]}, duration: 1s}")
            .Rollback("always")
            .WriteTo(cli.StateDir, "deny.yaml");
        var journal = Path.Combine(cli.StateDir, "deny.jsonl");

        var run = await cli.RunAsync("run", profile, "--yes", "--output", "json", "--journal", journal);

        Assert.True(run.ExitCode == 5, run + "\n--- sandbox\n" + log);
        var json = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("deviated", (string?)json["status"]);
        Assert.Equal(1, (int)json["injected"]!);
        Assert.Equal(1, (int)json["restored"]!);
        Assert.Equal(true, (bool?)json["steadyStateAfter"]);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
        Assert.Empty(JournalState.Read(journal).Pending);
        AssertErrorsWereInjected(log.ToString());
    }

    private static int RunningWeb(SandboxServer sandbox) =>
        sandbox.State.Instances().Count(i => i.Tags.GetValueOrDefault("app") == "web" && i.State == "running");

    /// <summary>The test proves nothing unless the sandbox really threw throttles and 500s at the run.</summary>
    private static void AssertErrorsWereInjected(string log)
    {
        var injected = log.Split('\n').Count(l => l.Contains("-> 500 ") || l.Contains("RequestLimitExceeded") || l.Contains("SlowDown") || l.Contains("Throttling"));
        Assert.True(injected > 0, "the sandbox injected no errors into this run\n" + log);
    }
}
