using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

/// <summary>
/// Nothing from a profile runs before approval (issue 11): a run refused with exit 3 has executed nothing the
/// profile names, and `plan` never starts a service or runs a probe. Before the fix the service ran first.
/// </summary>
public sealed class ApprovalGateTests : IDisposable
{
    private readonly TestCli _cli = new(TestCli.FixedTime());

    public void Dispose() => _cli.Dispose();

    private string Marker(string name) => Path.Combine(_cli.StateDir, name);

    private string Profile(string extra = "")
    {
        var path = Path.Combine(_cli.StateDir, "gate.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: gate}
            providers:
              local:
                proxyControl: embedded
                proxies: [{name: px, listen: "127.0.0.1:{{{Wait.FreePort()}}}", upstream: "127.0.0.1:9"}]
                services:
                  - {name: marker, run: "touch '{{{Marker("service-ran")}}}' --token=SERVICE-SECRET"}
            targets:
              px: {type: local:proxy, selector: {names: [px]}}
            steadyState:
              probes:
                - {name: marker, command: {run: "touch '{{{Marker("probe-ran")}}}'"}}
            {{{extra}}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: 10ms}, duration: 1s}
            """);
        return path;
    }

    [Fact]
    public async Task Plan_shows_the_services_command_but_runs_neither_it_nor_a_probe()
    {
        var text = await _cli.RunAsync("plan", Profile());
        var json = await _cli.RunAsync("plan", Profile(), "--output", "json");

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Contains("Started by the run once approved (never by plan)", text.Stdout);
        Assert.Contains($"local service marker: touch '{Marker("service-ran")}' --token=***", text.Stdout);
        Assert.Contains("\"helpers\": [", json.Stdout);
        Assert.Contains("\"run\": \"touch", json.Stdout);
        Assert.DoesNotContain("SERVICE-SECRET", text.Stdout + text.Stderr + json.Stdout + json.Stderr);
        Assert.False(File.Exists(Marker("service-ran")));
        Assert.False(File.Exists(Marker("probe-ran")));
    }

    [Theory]
    [InlineData("no approval", "")]
    [InlineData("requireApproval", "safety: {requireApproval: true}")]
    [InlineData("outside the window", "safety: {window: {days: [sun], start: \"01:00\", end: \"02:00\", timezone: UTC}}")]
    public async Task A_refused_run_has_run_nothing_from_the_profile(string why, string safety)
    {
        var args = why == "no approval" ? new[] { "run", Profile(safety) } : new[] { "run", Profile(safety), "--yes" };
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Refused, $"{why}: {result}");
        Assert.False(File.Exists(Marker("service-ran")), $"{why}: the service ran");
        Assert.False(File.Exists(Marker("probe-ran")), $"{why}: a probe ran");
        Assert.Empty(_cli.Journals());
    }

    [Fact]
    public async Task A_run_refused_for_plan_drift_has_run_nothing_from_the_profile()
    {
        var plan = Path.Combine(_cli.StateDir, "plan.json");
        Assert.Equal(ExitCodes.Ok, (await _cli.RunAsync("plan", Profile(), "--out", plan)).ExitCode);
        // The profile changes after approval: another delay, so another fingerprint.
        File.WriteAllText(Path.Combine(_cli.StateDir, "gate.yaml"), File.ReadAllText(Path.Combine(_cli.StateDir, "gate.yaml")).Replace("delay: 10ms", "delay: 20ms"));

        var result = await _cli.RunAsync("run", Path.Combine(_cli.StateDir, "gate.yaml"), "--plan", plan);

        Assert.True(result.ExitCode == ExitCodes.Refused, result.ToString());
        Assert.Contains("plan drift", result.Stderr);
        Assert.False(File.Exists(Marker("service-ran")));
        Assert.False(File.Exists(Marker("probe-ran")));
    }
}
