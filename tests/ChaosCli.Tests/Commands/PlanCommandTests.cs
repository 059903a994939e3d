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
}
