using Simian.Core.Profiles;
using Simian.Core.Running;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Running;

/// <summary>A method item <c>{parallel: [step, step]}</c>: its steps start together, each journaled first, each with its own duration.</summary>
public sealed class ParallelStepTests
{
    [Fact]
    public async Task Steps_of_a_group_start_together_and_each_ends_after_its_own_duration()
    {
        using var h = new RunHarness();

        var outcome = await h.RunAsync(
            "  - parallel:\n"
            + "      - {name: s, fault: slow, target: things, duration: 300ms}\n"
            + "      - {name: b, fault: break, target: things, duration: 100ms}\n"
            + "  - {name: k, fault: kill, target: things, irreversible: allowed}\n");

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var slow = h.Log.Single("apply slow t1");
        var broken = h.Log.Single("apply break t1");
        // Together: neither waited for the other's duration.
        Assert.True((broken.At - slow.At).Duration() < TimeSpan.FromMilliseconds(100), $"applied {broken.At - slow.At} apart");
        Assert.True(h.Log.Single("undo break t1").Since(broken) >= TimeSpan.FromMilliseconds(100));
        Assert.True(h.Log.Single("undo slow t1").Since(slow) >= TimeSpan.FromMilliseconds(300));
        Assert.Equal(["undo break t1", "undo slow t1"], h.Log.Lines("undo"));
        // The step after the group starts only when every step of the group is over.
        Assert.True(h.Log.Single("apply kill t1").At >= h.Log.Single("undo slow t1").At);
        Assert.All(h.Journal.Changes.Where(c => c.Fault != "kill"), c => Assert.Equal("duration", c.UndoneBy));
    }

    [Fact]
    public async Task Faults_of_a_group_held_to_the_end_are_rolled_back_newest_first()
    {
        using var h = new RunHarness(things: 2);

        var outcome = await h.RunAsync(
            "  - parallel:\n"
            + "      - {name: s, fault: slow, target: things}\n"
            + "      - {name: b, fault: break, target: things}\n"
            + "  - {pause: 200ms}\n");

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var journal = h.Journal;
        Assert.Equal(4, journal.Changes.Count);
        Assert.All(journal.Changes, c => Assert.Equal("rollback", c.UndoneBy));
        // Rollback goes by the journal's order of intents, newest first.
        var intents = journal.Changes.OrderBy(c => c.Seq).Select(c => $"undo {c.Fault} {c.ResourceId}").ToList();
        intents.Reverse();
        Assert.Equal(intents, h.Log.Lines("undo"));
    }

    [Fact]
    public async Task A_failure_in_one_step_stops_the_others_and_everything_is_rolled_back()
    {
        using var h = new RunHarness();
        h.World.Break.ApplyFailures = 1;

        var outcome = await h.RunAsync(
            "  - parallel:\n"
            + "      - {name: s, fault: slow, target: things, duration: 10s}\n"
            + "      - {name: b, fault: break, target: things}\n");

        Assert.Equal(RunStatus.Aborted, outcome.Status);
        Assert.Contains("step 'b' failed on t1", outcome.Reason);
        Assert.True(h.Elapsed < TimeSpan.FromSeconds(10), $"the 10s hold of the other step was not cut short: {h.Elapsed}");
        Assert.Contains("undo slow t1", h.Log.Lines("undo"));
        Assert.Empty(h.Journal.Pending);
    }

    [Fact]
    public void A_group_needs_two_fault_steps_and_counts_as_its_longest_against_max_duration()
    {
        var world = new ThingWorld(ThingWorld.Many(1));
        LoadResult Load(string method, string safety = "") => new ProfileLoader(world.Registry).LoadText(
            ThingProfiles.Text(method: method, safety: safety), "/profiles/things.yaml");

        var single = Load("  - parallel:\n      - {name: s, fault: slow, target: things}\n");
        Assert.Contains(single.Diagnostics, d => d.Message.StartsWith("a parallel group needs at least two steps", StringComparison.Ordinal));
        var pause = Load("  - parallel:\n      - {name: s, fault: slow, target: things}\n      - {pause: 1s}\n");
        Assert.Contains(pause.Diagnostics, d => d.Message.StartsWith("a parallel group holds fault steps only", StringComparison.Ordinal) && d.Location.Line > 1);

        const string Group = "  - parallel:\n      - {name: s, fault: slow, target: things, duration: 40s}\n      - {name: b, fault: break, target: things, duration: 50s}\n";
        var fits = Load(Group, "  maxDuration: 1m\n");
        Assert.True(fits.Ok, string.Join("\n", fits.Diagnostics));
        Assert.Equal(TimeSpan.FromSeconds(50), fits.Experiment!.MethodDuration);
        Assert.Equal([0, 0], fits.Experiment.Method.Select(s => s.Parallel ?? -1));
        var over = Load(Group + "  - {pause: 20s}\n", "  maxDuration: 1m\n");
        Assert.Contains(over.Diagnostics, d => d.Message.StartsWith("the method's steps last longer than safety.maxDuration", StringComparison.Ordinal));
    }
}
