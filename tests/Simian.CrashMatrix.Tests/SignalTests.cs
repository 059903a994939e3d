using System.Text.Json.Nodes;
using Simian.Core;
using Simian.CrashMatrix.Tests.Support;

namespace Simian.CrashMatrix.Tests;

/// <summary>
/// SIGINT and SIGTERM sent to a real `simian run` while it injects, while it holds, and while it rolls back:
/// rollback always finishes, the exit code says which signal (130 / 143), the journal ends `interrupted`, and
/// the world is as it was. A second signal does not skip rollback; SIGKILL does, and recover finishes the job.
/// </summary>
[Collection(Serial.Name)]
public sealed class SignalTests
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigTerm = 15;

    public static TheoryData<string, int, int> Signals => new()
    {
        { "SIGINT", SigInt, ExitCodes.Interrupted },
        { "SIGTERM", SigTerm, ExitCodes.Terminated },
    };

    /// <summary>The long-running servers stop cleanly on Ctrl-C or SIGTERM: exit 0, as a server asked to stop has done nothing wrong.</summary>
    [Theory]
    [InlineData("sandbox", SigInt)]
    [InlineData("sandbox", SigTerm)]
    [InlineData("proxy", SigInt)]
    public async Task A_server_asked_to_stop_exits_0(string server, int signal)
    {
        var dir = Directory.CreateTempSubdirectory("simian-server-").FullName;
        try
        {
            string[] args = server == "sandbox" ? ["sandbox", "--port", "0", "--any-key"] : ["proxy", "serve", "--control", "127.0.0.1:0"];
            using var process = new SimianProcess(dir, args);
            await Wait.UntilAsync(() => process.Stdout.Length + process.Stderr.Length > 0 && (process.Stdout + process.Stderr).Contains("127.0.0.1:", StringComparison.Ordinal)
                || process.Process.HasExited, TimeSpan.FromSeconds(30), () => $"{server} to start\n{process}");
            process.Signal(signal);
            var exit = await process.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(exit == ExitCodes.Ok, $"exit {exit}\n{process}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public async Task A_signal_between_an_intent_and_its_applied_stops_injecting_and_rolls_back(string name, int signal, int expectedExit)
    {
        // Slow answers from the AWS endpoint: the instance is already stopping while the run still waits to hear
        // so, and the signal lands in between — the change is made but not journaled as applied.
        await using var world = await ChaosWorld.StartAsync(new WorldOptions { LinkDelay = TimeSpan.FromMilliseconds(300) });
        var profile = world.WriteProfile("signal-inject", "5m", order: ["stop", "deny", "latency", "pause"]);
        var journal = Path.Combine(world.Dir, "inject.jsonl");
        using var watch = new JournalWatch(journal);
        using var run = world.StartRun(profile, journal);
        await SignalWhenAsync(watch, run, journal, e => (string?)e["event"] == "intent", signal: null);
        await Task.Factory.StartNew(() => world.WhenChanged("instance-stop", undo: false, TimeSpan.FromSeconds(30), () => run.Signal(signal)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var events = await FinishedAsync(run, journal, expectedExit);
        Assert.DoesNotContain(events, e => (string?)e["event"] == "applied");
        Assert.Single(events, e => (string?)e["event"] == "intent");
        var undone = Assert.Single(events, e => (string?)e["event"] == "undone");
        Assert.Equal("restored", (string?)undone["outcome"]);
        Assert.True(run.Stderr.Contains($"{name} received: stopping and rolling back", StringComparison.Ordinal), run.Stderr);
        await AssertRestoredAsync(world, journal);
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public async Task A_signal_during_the_hold_rolls_back_every_change(string name, int signal, int expectedExit)
    {
        await using var world = await ChaosWorld.StartAsync();
        var profile = world.WriteProfile("signal-hold", "5m");
        var journal = Path.Combine(world.Dir, "hold.jsonl");
        using var watch = new JournalWatch(journal);
        using var run = world.StartRun(profile, journal);
        await SignalWhenAsync(watch, run, journal, IsHoldStart, signal);

        var events = await FinishedAsync(run, journal, expectedExit);
        Assert.Equal(4, events.Count(e => (string?)e["event"] == "applied"));
        Assert.Equal(4, events.Count(e => (string?)e["event"] == "undone" && (string?)e["by"] == "rollback"));
        Assert.True(run.Stderr.Contains($"{name} received: stopping and rolling back", StringComparison.Ordinal), run.Stderr);
        await AssertRestoredAsync(world, journal);
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public async Task A_signal_during_a_rollback_the_run_started_itself_lets_it_finish_and_exits_as_interrupted(string name, int signal, int expectedExit)
    {
        // The hold ends on its own and rollback starts while the instance is still stopping: its undo waits for
        // `stopped` before it can start it again, which keeps rollback busy for seconds.
        await using var world = await ChaosWorld.StartAsync(new WorldOptions { TransitionDelay = TimeSpan.FromSeconds(2) });
        var profile = world.WriteProfile("signal-rollback", "200ms");
        var journal = Path.Combine(world.Dir, "rollback.jsonl");
        using var watch = new JournalWatch(journal);
        using var run = world.StartRun(profile, journal);
        await SignalWhenAsync(watch, run, journal, e => (string?)e["event"] == "undone", signal);

        var events = await FinishedAsync(run, journal, expectedExit);
        Assert.Equal(4, events.Count(e => (string?)e["event"] == "undone" && (string?)e["by"] == "rollback"));
        Assert.True(run.Stderr.Contains($"{name} received: rollback is in progress and will not be skipped", StringComparison.Ordinal), run.Stderr);
        Assert.False(run.Stderr.Contains("stopping and rolling back", StringComparison.Ordinal), run.Stderr);
        Assert.Contains($"interrupted by {name} during rollback", (string?)events[^1]["summary"]);
        await AssertRestoredAsync(world, journal);
    }

    [Fact]
    public async Task A_second_SIGINT_during_rollback_says_rollback_is_in_progress_and_does_not_skip_it()
    {
        await using var world = await ChaosWorld.StartAsync(new WorldOptions { TransitionDelay = TimeSpan.FromSeconds(2) });
        var profile = world.WriteProfile("second-sigint", "5m");
        var journal = Path.Combine(world.Dir, "second.jsonl");
        using var watch = new JournalWatch(journal);
        using var run = world.StartRun(profile, journal);
        await SignalWhenAsync(watch, run, journal, IsHoldStart, SigInt);
        // Rollback has undone the deny and now waits for the stopping instance.
        await SignalWhenAsync(watch, run, journal, e => (string?)e["event"] == "undone", SigInt);

        var events = await FinishedAsync(run, journal, ExitCodes.Interrupted);
        Assert.True(run.Stderr.Contains("SIGINT received: stopping and rolling back", StringComparison.Ordinal), run.Stderr);
        Assert.True(run.Stderr.Contains("SIGINT received again: rollback is in progress and will not be skipped", StringComparison.Ordinal), run.Stderr);
        Assert.Equal(4, events.Count(e => (string?)e["event"] == "undone" && (string?)e["by"] == "rollback"));
        await AssertRestoredAsync(world, journal);
    }

    /// <summary>
    /// The instance the run stops is in an Auto Scaling group (the sample fleet's web-asg-01), and the sandbox replaces
    /// a stopped InService instance as AWS does. Killed mid-hold, the run leaves the group's health checks suspended,
    /// so the instance is still there, stopped; recover starts the same instance and resumes exactly what was suspended.
    /// </summary>
    [Fact]
    public async Task SIGKILL_while_a_group_member_is_stopped_leaves_the_group_protected_and_recover_restores_it()
    {
        await using var world = await ChaosWorld.StartAsync(new WorldOptions { TransitionDelay = TimeSpan.FromMilliseconds(500) });
        var profile = world.WriteProfile("asg-sigkill", "5m", order: ["stop"]);
        var journal = Path.Combine(world.Dir, "asg-sigkill.jsonl");
        using var watch = new JournalWatch(journal);
        using var run = world.StartRun(profile, journal);
        // The hold is step 2 here (index 1): the stop is applied and journaled.
        await SignalWhenAsync(watch, run, journal, e => (string?)e["event"] == "step" && (string?)e["phase"] == "start" && (int?)e["index"] == 1, SigKill);
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 128 + SigKill, $"exit {exit}\n{run}");

        var stopped = Assert.Single(world.Sandbox.State.Instances(), i => i.State is "stopping" or "stopped");
        var group = Assert.Single(world.Sandbox.State.AutoScalingGroups(), g => g.Instances.Any(m => m.Id == stopped.Id));
        Assert.Equal(["HealthCheck", "ReplaceUnhealthy"], group.SuspendedProcesses);
        Assert.Empty(group.Activities);

        var recover = await world.RecoverAsync(journal);
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        Assert.Equal("running", world.Sandbox.State.InstanceState(stopped.Id));
        var after = world.Sandbox.State.AutoScalingGroup(group.Name)!;
        Assert.Empty(after.SuspendedProcesses);
        Assert.Equal(group.Instances.Select(i => i.Id), after.Instances.Select(i => i.Id));
        await AssertRestoredAsync(world, journal);
    }

    [Fact]
    public async Task SIGKILL_as_the_second_signal_cuts_rollback_short_and_recover_finishes_it()
    {
        await using var world = await ChaosWorld.StartAsync(new WorldOptions { TransitionDelay = TimeSpan.FromSeconds(2) });
        var profile = world.WriteProfile("second-sigkill", "5m");
        var journal = Path.Combine(world.Dir, "sigkill.jsonl");
        using var watch = new JournalWatch(journal);
        using var run = world.StartRun(profile, journal);
        await SignalWhenAsync(watch, run, journal, IsHoldStart, SigInt);
        await SignalWhenAsync(watch, run, journal, e => (string?)e["event"] == "undone", SigKill);
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 128 + SigKill, $"exit {exit}\n{run}");

        var events = JournalWatch.Read(journal);
        Assert.DoesNotContain(events, e => (string?)e["event"] == "finished");
        var undone = events.Count(e => (string?)e["event"] == "undone");
        Assert.InRange(undone, 1, 3);
        Assert.NotEmpty(await world.ProblemsAsync());

        var recover = await world.RecoverAsync(journal);
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        Assert.Contains($"{4 - undone} restored", recover.Stdout);
        await AssertRestoredAsync(world, journal);
    }

    private static bool IsHoldStart(JsonObject e) => (string?)e["event"] == "step" && (string?)e["phase"] == "start" && (int?)e["index"] == 4;

    /// <summary>Sends the signal (if any) the moment a journal line matching <paramref name="when"/> is on disk.</summary>
    private static async Task SignalWhenAsync(JournalWatch watch, SimianProcess run, string journal, Func<JsonObject, bool> when, int? signal)
    {
        var lines = 1;
        while (true)
        {
            var seen = await watch.WhenLinesAsync(lines, () => run.Process.HasExited, TimeSpan.FromSeconds(60), () => { });
            Assert.True(seen >= 0, $"the run exited before the line to signal at\n{string.Join("\n", JournalWatch.Read(journal).Select(JournalWatch.Describe))}\n{run}");
            var events = JournalWatch.Read(journal);
            if (events.Any(when))
            {
                if (signal is { } number) run.Signal(number);
                return;
            }
            lines = events.Count + 1;
        }
    }

    private static async Task<List<JsonObject>> FinishedAsync(SimianProcess run, string journal, int expectedExit)
    {
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
        var events = JournalWatch.Read(journal);
        var story = string.Join(" | ", events.Select(JournalWatch.Describe));
        Assert.True(exit == expectedExit, $"exit {exit}, expected {expectedExit}\n{story}\n{run}");
        Assert.True((string?)events[^1]["event"] == "finished" && (string?)events[^1]["status"] == "interrupted", story);
        Assert.DoesNotContain(events, e => (string?)e["event"] == "undo-failed");
        return events;
    }

    private static async Task AssertRestoredAsync(ChaosWorld world, string journal)
    {
        Assert.Empty(await world.ProblemsAsync());
        var again = await world.RecoverAsync(journal);
        Assert.True(again.ExitCode == ExitCodes.Ok && again.Stdout.Contains("nothing to recover", StringComparison.Ordinal), again.ToString());
    }
}
