using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

public sealed class UsageTests
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("plan")]
    [InlineData("plan", "x.yaml", "--output", "xml")]
    [InlineData("run", "x.yaml", "--seed", "abc")]
    public async Task Usage_errors_exit_2_with_a_message_and_no_stack_trace(params string[] args)
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync(args);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("simian:", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Help_lists_every_verb()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("--help");
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        foreach (var verb in new[] { "validate", "plan", "run", "recover", "targets", "proxy", "init" })
        {
            Assert.Contains(verb, result.Stdout);
        }
    }

    [Theory]
    [InlineData("recove", "recover")]
    [InlineData("run --pl", "--plan")]
    [InlineData("plan x.yaml --output ", "json")]
    public async Task The_suggest_directive_completes_verbs_options_and_values(string line, string expected)
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync($"[suggest:{line.Length}]", line);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains(expected, result.Stdout.Split('\n', StringSplitOptions.TrimEntries));
    }
}
