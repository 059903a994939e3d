using Simian.CrashMatrix.Tests.Support;
using Xunit.Abstractions;

namespace Simian.CrashMatrix.Tests;

/// <summary>
/// "Prove it loses nothing": a real `simian run` touching every kind of state is killed with SIGKILL right
/// after each journal line in turn, then `simian recover` must put everything back, and a second recover must
/// find nothing to do. Every point, not a sample. SIMIAN_LONG_TESTS=1 repeats the matrix.
/// </summary>
[Collection(Serial.Name)]
public sealed class CrashMatrixTests(ITestOutputHelper output)
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("SIMIAN_LONG_TESTS") == "1";

    /// <summary>Long enough that a kill aimed at the hold's start lands inside it; short enough to reach rollback.</summary>
    private const string Hold = "1s";

    [Fact]
    public async Task Killed_after_every_journal_line_recover_restores_everything_and_a_second_recover_changes_nothing()
    {
        var result = await CrashMatrix.RunAsync(new WorldOptions { LinkDelay = TimeSpan.FromMilliseconds(25) }, Hold, rounds: Long ? 5 : 1, filter: null, output);
        Assert.True(result.Failures.Count == 0, result.Report);
        Assert.Equal(result.Points, result.Restored);
    }

    [Fact]
    public async Task Without_a_bucket_policy_every_crash_point_around_the_deny_leaves_the_bucket_without_one()
    {
        // Where the bucket can be caught with Simian's policy on it: around the deny (seq 4) and its undo.
        var result = await CrashMatrix.RunAsync(new WorldOptions { BucketHasPolicy = false, LinkDelay = TimeSpan.FromMilliseconds(25) }, Hold,
            rounds: Long ? 3 : 1, filter: line => line is "intent 4 bucket-deny" or "applied 4" or "rollback" or "undone 4", output);
        Assert.True(result.Failures.Count == 0, result.Report);
        Assert.Equal(result.Points, result.Restored);
    }
}
