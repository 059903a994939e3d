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

    [Theory]
    [InlineData("simian p", "plan,proxy")]
    [InlineData("simian plan --o", "--out,--output")]
    [InlineData("simian recover --st", "--stale-after,--state,--state-endpoint")]
    [InlineData("simian run x.yaml -", null)]
    public async Task Completion_offers_only_what_starts_with_the_word_and_no_windows_aliases(string line, string? exactly)
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync($"[suggest:{line.Length}]", line);
        var offered = result.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var word = line[(line.LastIndexOf(' ') + 1)..];
        Assert.NotEmpty(offered);
        Assert.All(offered, o => Assert.StartsWith(word, o));
        Assert.DoesNotContain(offered, o => o is "/?" or "/h" or "-?");
        if (exactly is not null) Assert.Equal(exactly.Split(','), offered.Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "run", "x.yaml", "--seed", "abc" }, "simian: --seed expects an integer, got 'abc'")]
    [InlineData(new[] { "run", "x.yaml", "--sed", "3" }, "simian: unknown option '--sed'; did you mean '--seed'?")]
    [InlineData(new[] { "plna", "x.yaml" }, "simian: unknown command 'plna'; did you mean 'plan'?")]
    [InlineData(new string[0], "simian: no command given: name one of validate, plan, run, recover, report, targets, proxy, init, sandbox")]
    public async Task Parse_errors_read_like_the_rest_of_simian(string[] args, string expected)
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync(args);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        // One error line, then where to look: no .NET type names, no second error for the unknown option's value.
        Assert.Equal(2, lines.Length);
        Assert.Equal(expected, lines[0]);
        Assert.StartsWith("Run 'simian", lines[1]);
        Assert.DoesNotContain("System.", result.Stderr);
    }

    public static TheoryData<string> Verbs() => ["", "validate", "plan", "run", "recover", "report", "targets", "proxy serve", "init", "sandbox"];

    /// <summary>Each verb's help, as reviewed (Golden/help-*.txt; UPDATE_GOLDEN=1 rewrites them), ends with examples at 80 columns.</summary>
    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verbs_help_ends_with_examples_and_matches_its_golden_file(string verb)
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync([.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var examples = result.Stdout[(result.Stdout.IndexOf("Examples:", StringComparison.Ordinal) + 1)..];
        Assert.Contains("Examples:", result.Stdout);
        Assert.DoesNotContain("/?", result.Stdout);
        // Under the test host the program's name is the host's; users see "simian".
        Support.Golden.Match($"help-{(verb.Length == 0 ? "simian" : verb.Replace(' ', '-'))}.txt", result.Stdout.Replace("  testhost", "  simian", StringComparison.Ordinal));
        Assert.True(examples.Split('\n').Count(l => l.StartsWith("  simian ", StringComparison.Ordinal)) >= 2, result.Stdout);
    }

    /// <summary>Every example parses, and every repository file it names exists: help never teaches a line that fails.</summary>
    [Fact]
    public async Task Every_example_in_help_parses_and_names_files_that_exist()
    {
        using var cli = new TestCli();
        foreach (var verb in Verbs())
        {
            var help = await cli.RunAsync([.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
            var examples = help.Stdout[help.Stdout.IndexOf("Examples:", StringComparison.Ordinal)..].Split('\n')
                .Where(l => l.StartsWith("  simian ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
            foreach (var example in examples)
            {
                var words = example.Split(' ')[1..].TakeWhile(w => w != ">").ToArray();
                foreach (var file in words.Where(w => w.StartsWith("chaos-profiles/", StringComparison.Ordinal) || w.StartsWith("samples/", StringComparison.Ordinal)))
                {
                    if (file.Contains('*', StringComparison.Ordinal)) Assert.NotEmpty(Directory.GetFiles(Repo.Path(Path.GetDirectoryName(file)!), Path.GetFileName(file)));
                    else Assert.True(File.Exists(Repo.Path(file)), $"{example}: {file} does not exist");
                }
                var parsed = await cli.RunAsync([.. words.Where(w => !w.Contains('*', StringComparison.Ordinal)), "--help"]);
                Assert.True(parsed.ExitCode == ExitCodes.Ok && parsed.Stderr.Length == 0, $"{example}: {parsed}");
            }
        }
    }
}

/// <summary>The README's bash completion, as printed, in a real bash against the built simian.</summary>
public sealed class BashCompletionTests
{
    [Fact]
    public async Task The_readme_bash_snippet_completes_verbs_and_options()
    {
        var readme = File.ReadAllText(Repo.Path("README.md"));
        var start = readme.IndexOf("# bash (~/.bashrc)", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no bash completion snippet");
        var snippet = string.Join('\n', readme[start..].Split('\n').Skip(1).TakeWhile(l => !l.StartsWith('#')));
        var script = $$"""
            simian() { dotnet '{{Repo.SimianDll}}' "$@"; }
            {{snippet}}
            COMP_LINE='simian p'; COMP_POINT=${#COMP_LINE}; _simian_complete; echo "verbs:${COMPREPLY[*]}"
            COMP_LINE='simian recover --wa'; COMP_POINT=${#COMP_LINE}; _simian_complete; echo "options:${COMPREPLY[*]}"
            """;
        var (code, output) = await Shell.RunAsync(script, TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output);
        Assert.Contains("verbs:plan proxy", output);
        Assert.Contains("options:--watch", output);
    }
}
