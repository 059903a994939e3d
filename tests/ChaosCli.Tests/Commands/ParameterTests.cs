using System.Text.Json;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

/// <summary>The profile's <c>parameters</c> from the command line: --param, picks by seed, and approved plans.</summary>
public sealed class ParameterTests
{
    private static string Profile(TestCli cli)
    {
        var path = Path.Combine(cli.StateDir, "zones.yaml");
        File.WriteAllText(path, File.ReadAllText(Repo.Fixture("plan-proxies.yaml"))
            .Replace("metadata:\n", "parameters:\n  db: {pick: [db-a, db-b, db-c]}\nmetadata:\n")
            .Replace("selector: {names: [db-a, db-b, db-c]}", "selector: {names: [\"${db}\"]}")
            // Any time of day: the run test must reach the fingerprint check, not the window.
            .Replace("  window: {days: [mon, tue, wed, thu, fri], start: \"09:00\", end: \"17:00\", timezone: Europe/Berlin}\n", ""));
        return path;
    }

    private static (string Db, string Source, string Fingerprint, long Seed) Read(CliResult result)
    {
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        var db = root.GetProperty("parameters").GetProperty("db");
        Assert.Equal(db.GetProperty("value").GetString(), root.GetProperty("targets")[0].GetProperty("selected")[0].GetString());
        return (db.GetProperty("value").GetString()!, db.GetProperty("source").GetString()!, root.GetProperty("fingerprint").GetString()!,
            root.GetProperty("seed").GetInt64());
    }

    [Fact]
    public async Task A_given_value_is_used_and_shown_and_a_picked_one_follows_the_seed()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var profile = Profile(cli);

        var given = Read(await cli.RunAsync("plan", profile, "--param", "db=db-b", "--output", "json"));
        Assert.Equal(("db-b", "given"), (given.Db, given.Source));
        var text = await cli.RunAsync("plan", profile, "--param", "db=db-b");
        Assert.Contains("parameter db = db-b (given with --param)", text.Stdout);

        var picked = Enumerable.Range(1, 12).Select(async seed => Read(await cli.RunAsync("plan", profile, "--seed", seed.ToString(), "--output", "json")))
            .Select(t => t.Result).ToList();
        Assert.All(picked, p => Assert.Equal("picked", p.Source));
        Assert.True(picked.Select(p => p.Db).Distinct().Count() > 1, "twelve seeds always picked the same value");
        Assert.Equal(picked[3], Read(await cli.RunAsync("plan", profile, "--seed", "4", "--output", "json")));
        // Different values, different fingerprints: the fingerprint covers what the parameter chose.
        Assert.Equal(picked.Select(p => p.Db).Distinct().Count(), picked.Select(p => p.Fingerprint).Distinct().Count());
    }

    [Fact]
    public async Task An_approved_plan_runs_only_the_value_it_was_approved_for()
    {
        using var cli = new TestCli();
        var profile = Profile(cli);
        var planFile = Path.Combine(cli.StateDir, "plan.json");
        var plan = await cli.RunAsync("plan", profile, "--param", "db=db-a", "--out", planFile);
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());

        var other = await cli.RunAsync("run", profile, "--plan", planFile, "--param", "db=db-c", "--dry-run");

        Assert.Equal(ExitCodes.Refused, other.ExitCode);
        Assert.Contains("plan drift", other.Stderr);
        Assert.Empty(cli.Journals());
    }

    [Theory]
    [InlineData("db=db-z", "--param db=db-z is not one of the values parameter 'db' picks from: db-a, db-b, db-c")]
    [InlineData("zone=us-east-1a", "unknown parameter 'zone'")]
    [InlineData("db", "--param db: expected name=value")]
    public async Task A_bad_param_is_bad_input_and_nothing_runs(string param, string message)
    {
        using var cli = new TestCli();

        var result = await cli.RunAsync("run", Profile(cli), "--yes", "--param", param);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Empty(cli.Journals());
    }
}
