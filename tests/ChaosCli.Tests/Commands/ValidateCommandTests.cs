using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

public sealed class ValidateCommandTests
{
    [Fact]
    public async Task Every_error_in_a_broken_profile_is_reported_at_once_with_its_location()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("validate", Repo.Fixture("broken.yaml"));
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Golden.Match("validate-broken.txt", Repo.Portable(result.Stdout));
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Validate_json_lists_errors_with_file_line_and_column()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("validate", Repo.Fixture("broken.yaml"), "--output", "json");
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        var errors = doc.RootElement.GetProperty("profiles")[0].GetProperty("errors");
        Assert.True(errors.GetArrayLength() >= 8, result.Stdout);
        var typo = errors.EnumerateArray().Single(e => e.GetProperty("message").GetString()!.Contains("local:proxi'"));
        Assert.Equal(8, typo.GetProperty("line").GetInt32());
        Assert.Equal(11, typo.GetProperty("column").GetInt32());
    }

    [Fact]
    public async Task Every_sample_and_ready_made_profile_validates()
    {
        var profiles = Directory.EnumerateFiles(Repo.Path("samples"), "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.Exists(Repo.Path("chaos-profiles")) ? Directory.EnumerateFiles(Repo.Path("chaos-profiles"), "*.yaml", SearchOption.AllDirectories) : [])
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}fleets{Path.DirectorySeparatorChar}"))
            .ToArray();
        Assert.NotEmpty(profiles);
        using var cli = new TestCli();
        var result = await cli.RunAsync(["validate", .. profiles]);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
    }

    [Fact]
    public async Task A_missing_file_is_an_invalid_input_not_a_crash()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("validate", "/nonexistent/profile.yaml");
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("/nonexistent/profile.yaml:1:1: error: file not found", result.Stdout);
    }

    [Theory]
    [InlineData("latency")]
    [InlineData("process")]
    [InlineData("instance")]
    [InlineData("bucket")]
    public async Task Init_writes_a_starter_profile_that_validates(string template)
    {
        using var cli = new TestCli();
        var path = Path.Combine(cli.StateDir, $"{template}.yaml");
        var init = await cli.RunAsync("init", "--template", template, "--out", path);
        Assert.Equal(ExitCodes.Ok, init.ExitCode);
        var validate = await cli.RunAsync("validate", path);
        Assert.True(validate.ExitCode == ExitCodes.Ok, validate.ToString());
        var again = await cli.RunAsync("init", "--template", template, "--out", path);
        Assert.Equal(ExitCodes.Invalid, again.ExitCode);
    }
}
