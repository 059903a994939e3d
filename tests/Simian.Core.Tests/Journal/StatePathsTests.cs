using Simian.Core.Journal;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Journal;

public sealed class StatePathsTests
{
    [Theory]
    [InlineData("/s", "/x", "/h", "/s")]
    [InlineData("", "/x", "/h", "/x/simian")]
    [InlineData(null, null, "/h", "/h/.local/state/simian")]
    public void State_folder_comes_from_simian_state_dir_then_xdg_then_home(string? simian, string? xdg, string home, string root)
    {
        var env = new Dictionary<string, string?> { ["SIMIAN_STATE_DIR"] = simian, ["XDG_STATE_HOME"] = xdg, ["HOME"] = home };

        var paths = StatePaths.FromEnvironment(k => env.GetValueOrDefault(k));

        Assert.Equal(root, paths.Root);
        Assert.Equal(Path.Combine(root, "journals"), paths.Journals);
        Assert.Equal(Path.Combine(root, "registered"), paths.Registered);
    }

    [Fact]
    public void Journals_are_named_by_time_experiment_and_run_and_listed_oldest_first()
    {
        using var dir = new TempDir();
        var paths = new StatePaths(dir.Path);
        var later = paths.NewJournalPath("exp", "b", new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var earlier = paths.NewJournalPath("exp", "a", new DateTimeOffset(2025, 1, 31, 23, 59, 59, TimeSpan.Zero));
        Directory.CreateDirectory(paths.Journals);
        File.WriteAllText(later, "");
        File.WriteAllText(earlier, "");
        File.WriteAllText(later + ".lock", "");

        Assert.Equal(Path.Combine(paths.Journals, "20250131T235959Z-exp-a.jsonl"), earlier);
        Assert.Equal([earlier, later], paths.ExistingJournals());
    }

    [Fact]
    public void No_journal_folder_means_no_journals()
    {
        Assert.Empty(new StatePaths("/nonexistent/simian-test").ExistingJournals());
    }
}
