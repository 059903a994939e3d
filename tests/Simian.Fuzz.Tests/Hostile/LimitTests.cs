using System.Diagnostics;
using System.Text;
using Simian.Core.Profiles;
using Simian.Core.Yaml;
using Simian.Fuzz.Tests.Support;

namespace Simian.Fuzz.Tests.Hostile;

/// <summary>The reader's limits, each hit on purpose: refused fast, in bounded memory, with a location.</summary>
public sealed class LimitTests : IDisposable
{
    private const string Head = "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: limits}\nmethod: []\n";

    private readonly TestCli _cli = new(undoAttempts: 1);
    private readonly string _dir = Directory.CreateTempSubdirectory("simian-limits-").FullName;

    [Fact]
    public async Task Billion_laughs_is_refused_by_its_node_count() =>
        await AssertRefusedAsync(Head + ProfileMutator.Laughs(9, 9, "\"lol\""), "nodes (an alias bomb?)");

    [Fact]
    public async Task Few_aliases_of_a_long_string_are_refused_by_their_text_size() =>
        // 10,000 copies of 500,000 characters in 11,111 nodes: under the node limit, 5 GB once expanded.
        await AssertRefusedAsync(Head + ProfileMutator.Laughs(4, 10, "\"" + new string('L', 500_000) + "\""), "characters of text (an alias bomb?)");

    [Theory]
    [InlineData(false, 65)]
    [InlineData(true, 65)]
    [InlineData(false, 100_000)]
    [InlineData(true, 100_000)]
    public async Task Flow_nesting_past_64_levels_is_refused(bool maps, int depth) =>
        await AssertRefusedAsync(Head + "deep: " + ProfileMutator.NestedFlow(depth, maps) + "\n", "nesting deeper than 64 levels");

    [Fact]
    public async Task Block_nesting_past_64_levels_is_refused()
    {
        var s = new StringBuilder(Head + "deep:\n");
        for (var i = 1; i <= 70; i++) s.Append(' ', i).Append("k:\n");
        await AssertRefusedAsync(s.ToString(), "nesting deeper than 64 levels");
    }

    [Fact]
    public async Task An_escape_that_names_no_character_is_a_located_error_not_a_crash()
    {
        var result = await ValidateAsync(Head.Replace("{name: limits}", "{name: \"\\uDFFF\\uD800\"}"));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Matches(@":3:\d+: error: invalid YAML here: a \\u or \\U escape", result.Stdout);
    }

    [Fact]
    public async Task A_time_zone_folder_is_an_unknown_time_zone_not_a_crash()
    {
        var result = await ValidateAsync(Head + "safety:\n  window: {start: \"09:00\", end: \"17:00\", timezone: America}\n");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(":6:52: error: unknown time zone 'America'", result.Stdout);
    }

    private async Task AssertRefusedAsync(string profile, string message)
    {
        var loader = new ProfileLoader(_cli.Services.Registry);
        var bytes = Encoding.UTF8.GetBytes(profile);
        Assert.True(bytes.Length <= YamlDocumentReader.MaxBytes, "the input itself must be within the size limit");
        var clock = Stopwatch.StartNew();
        var outcome = await Deadline.RunAsync(() => HostileLoad.Load(loader, bytes, "limit.yaml"), TimeSpan.FromSeconds(5), "a limit case");
        // Milliseconds when the machine is idle; the margin is for a busy CI box.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.True(outcome.AllocatedBytes < 64 * 1024 * 1024, $"allocated {FuzzStats.Mib(outcome.AllocatedBytes)}");
        var d = Assert.Single(outcome.Diagnostics);
        Assert.Contains(message, d.Message);
        Assert.Empty(HostileLoad.Problems(outcome, bytes, "limit.yaml"));

        var result = await ValidateAsync(profile);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stdout);
    }

    private async Task<CliResult> ValidateAsync(string profile)
    {
        var path = Path.Combine(_dir, "limit.yaml");
        await File.WriteAllTextAsync(path, profile);
        return await Deadline.RunAsync(() => _cli.RunAsync("validate", path), TimeSpan.FromSeconds(10), "validate");
    }

    public void Dispose()
    {
        _cli.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
