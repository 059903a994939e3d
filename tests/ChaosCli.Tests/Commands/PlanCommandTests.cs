using System.Text.Json;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

public sealed class PlanCommandTests
{
    [Fact]
    public async Task Plan_text_shows_blast_radius_guard_verdicts_and_probes_with_secrets_hidden()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var result = await cli.RunAsync("plan", Repo.Fixture("plan-proxies.yaml"), "--seed", "7");
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Golden.Match("plan-proxies.txt", Repo.Portable(result.Stdout));
        Assert.DoesNotContain("s3cr3t", result.Stdout);
    }

    [Fact]
    public async Task Plan_json_has_the_documented_shape()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var result = await cli.RunAsync("plan", Repo.Fixture("plan-proxies.yaml"), "--seed", "7", "--output", "json");
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Golden.Match("plan-proxies.json", Repo.Portable(result.Stdout));
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.Equal("plan-proxies", root.GetProperty("experiment").GetString());
        Assert.StartsWith("sha256:", root.GetProperty("fingerprint").GetString());
        Assert.True(root.GetProperty("allowed").GetBoolean());
        var dbs = root.GetProperty("targets")[0];
        Assert.Equal(3, dbs.GetProperty("matched").GetInt32());
        Assert.Equal(1, dbs.GetProperty("selected").GetArrayLength());
        Assert.Equal(2, dbs.GetProperty("excluded").GetArrayLength());
        Assert.All(root.GetProperty("guard").EnumerateArray(), g => Assert.True(g.GetProperty("passed").GetBoolean()));
        Assert.Equal(3, root.GetProperty("method").GetArrayLength());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_fingerprint_and_another_seed_may_pick_differently()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var fingerprints = new HashSet<string>();
        for (var seed = 1; seed <= 12; seed++)
        {
            var a = await cli.RunAsync("plan", Repo.Fixture("plan-proxies.yaml"), "--seed", seed.ToString(), "--output", "json");
            var b = await cli.RunAsync("plan", Repo.Fixture("plan-proxies.yaml"), "--seed", seed.ToString(), "--output", "json");
            var fa = JsonDocument.Parse(a.Stdout).RootElement.GetProperty("fingerprint").GetString()!;
            Assert.Equal(fa, JsonDocument.Parse(b.Stdout).RootElement.GetProperty("fingerprint").GetString());
            fingerprints.Add(fa);
        }
        Assert.True(fingerprints.Count > 1, "twelve seeds always picked the same one of three proxies");
    }

    [Fact]
    public async Task A_plan_over_the_limits_is_refused_with_exit_3_and_says_why()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var result = await cli.RunAsync("plan", Repo.Fixture("plan-refused.yaml"), "--seed", "7");
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("[FAIL] maxTargets: not running: 3 targets selected, more than maxTargets 2", result.Stdout);
        Assert.Contains("[FAIL] maxPercent", result.Stdout);
        Assert.Contains("Verdict: REFUSED", result.Stdout);
    }

    [Fact]
    public async Task Outside_the_window_the_plan_is_refused()
    {
        // Saturday noon in Berlin.
        var saturday = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 11, 0, 0, TimeSpan.Zero));
        using var cli = new TestCli(saturday);
        var result = await cli.RunAsync("plan", Repo.Fixture("plan-proxies.yaml"), "--seed", "7");
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("[FAIL] window: not running: Sat 12:00 Europe/Berlin is outside the window", result.Stdout);
    }

    [Fact]
    public async Task Plan_out_writes_an_owner_only_file()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var file = Path.Combine(cli.StateDir, "plan.json");
        var result = await cli.RunAsync("plan", Repo.Fixture("plan-proxies.yaml"), "--seed", "7", "--out", file);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(7, JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("seed").GetInt64());
    }

    /// <summary>The seed hint appears only where something is picked at random; otherwise there is nothing to reproduce.</summary>
    [Fact]
    public async Task The_seed_hint_appears_only_when_a_pick_is_random()
    {
        using var cli = new TestCli();
        string Profile(string pick) => cli.Write($"seed-{pick.Length}.yaml", $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: seed-hint}
            targets:
              sleepers: {type: local:process, selector: {commandContains: no-such-process-for-the-seed-hint}, optional: true, pick: {{{pick}}}}
            method:
              - {pause: 10ms}
            """);
        var all = await cli.RunAsync("plan", Profile("all"));
        Assert.True(all.ExitCode == ExitCodes.Ok, all.ToString());
        Assert.DoesNotContain("--seed", all.Stdout);
        var random = await cli.RunAsync("plan", Profile("{count: 1}"));
        Assert.Contains("seed 42 (pass --seed 42 or --plan to reproduce this selection)", random.Stdout);
    }
}
