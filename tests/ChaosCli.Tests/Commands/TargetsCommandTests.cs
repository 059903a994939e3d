using System.Text.Json;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

public sealed class TargetsCommandTests
{
    [Fact]
    public async Task Targets_lists_every_match_before_pick()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("targets", Repo.Fixture("plan-proxies.yaml"));
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("dbs (local:proxy): 3 match(es)", result.Stdout);
        Assert.Contains("  db-a  127.0.0.1:25001 -> 127.0.0.1:25101", result.Stdout);
        Assert.Contains("cache (local:proxy): 1 match(es)", result.Stdout);
    }

    [Fact]
    public async Task Targets_for_one_name_as_json()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("targets", Repo.Fixture("plan-proxies.yaml"), "cache", "--output", "json");
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var target = Assert.Single(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("targets").EnumerateArray());
        Assert.Equal("cache", target.GetProperty("name").GetString());
        Assert.Equal("cache", target.GetProperty("resources")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task An_unknown_target_name_is_invalid_input_with_a_suggestion()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("targets", Repo.Fixture("plan-proxies.yaml"), "cach");
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("did you mean 'cache'", result.Stderr);
    }
}
