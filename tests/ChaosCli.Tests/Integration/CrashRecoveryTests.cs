using System.Diagnostics;
using Simian.Cli.Tests.Commands;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Integration;

/// <summary>A real simian process is killed or signalled mid-experiment; nothing may be lost.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task After_SIGKILL_mid_experiment_recover_restores_everything_and_a_second_recover_changes_nothing()
    {
        using var cli = new TestCli();
        await using var world = await LocalWorld.StartAsync(cli.StateDir);
        var profile = world.WriteProfile("crash");
        var journal = Path.Combine(cli.StateDir, "crash.jsonl");
        using (var run = new SimianProcess(cli.StateDir, "run", profile, "--yes", "--journal", journal))
        {
            await Wait.UntilAsync(() => Applied(journal) == 2, TimeSpan.FromSeconds(30), "both faults applied\n" + run.Stderr);
            run.Process.Kill();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.Equal(1, await world.ToxicCountAsync());
        Assert.Equal('T', world.SleeperState());

        var recover = await cli.RunAsync("recover", "--journal", journal);
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        Assert.Contains("2 restored", recover.Stdout);
        Assert.Equal(0, await world.ToxicCountAsync());
        Assert.NotEqual('T', world.SleeperState());

        var again = await cli.RunAsync("recover", "--journal", journal);
        Assert.Equal(ExitCodes.Ok, again.ExitCode);
        Assert.Contains("nothing to recover", again.Stdout);
    }

    [Theory]
    [InlineData("INT", ExitCodes.Interrupted)]
    [InlineData("TERM", ExitCodes.Terminated)]
    public async Task A_signal_during_the_hold_rolls_back_before_exiting(string signal, int expectedExit)
    {
        using var cli = new TestCli();
        await using var world = await LocalWorld.StartAsync(cli.StateDir);
        var profile = world.WriteProfile("signal");
        var journal = Path.Combine(cli.StateDir, "signal.jsonl");
        using var run = new SimianProcess(cli.StateDir, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Applied(journal) == 2, TimeSpan.FromSeconds(30), "both faults applied\n" + run.Stderr);
        Process.Start("kill", ["-" + signal, run.Process.Id.ToString()])!.WaitForExit();
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == expectedExit, $"exit {exit}\n{run.Stdout}\n{run.Stderr}");
        Assert.Equal(0, await world.ToxicCountAsync());
        Assert.NotEqual('T', world.SleeperState());
        var events = RunCommandTests.ReadJournal(journal);
        Assert.Equal("interrupted", (string?)events[^1]["status"]);
        Assert.Equal(2, events.Count(e => (string?)e["event"] == "undone"));
        Assert.Contains("rolling back", run.Stderr);
    }

    [Fact]
    public async Task A_rollback_longer_than_two_seconds_is_not_cut_short_and_ends_with_exit_6()
    {
        using var cli = new TestCli();
        await using var world = await LocalWorld.StartAsync(cli.StateDir);
        var profile = world.WriteProfile("slow-rollback");
        var journal = Path.Combine(cli.StateDir, "slow.jsonl");
        using var run = new SimianProcess(cli.StateDir, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Applied(journal) == 2, TimeSpan.FromSeconds(30), "both faults applied\n" + run.Stderr);
        // With the proxy gone, undoing the latency is retried with backoff for several seconds, then fails.
        world.KillProxy();
        var started = DateTime.UtcNow;
        Process.Start("kill", ["-INT", run.Process.Id.ToString()])!.WaitForExit();
        // The second Ctrl-C must land while rollback runs: wait until the run says it has begun.
        await Wait.UntilAsync(() => run.Stderr.Contains("rolling back", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => "rollback to start\n" + run.Stderr);
        Process.Start("kill", ["-INT", run.Process.Id.ToString()])!.WaitForExit();
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == ExitCodes.RollbackIncomplete, $"exit {exit}\n{run.Stdout}\n{run.Stderr}");
        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(2), "rollback was cut short");
        Assert.Contains("rollback is in progress and will not be skipped", run.Stderr);
        // The pause was undone even though the proxy could not be reached; the journal says what is left.
        Assert.NotEqual('T', world.SleeperState());
        var events = RunCommandTests.ReadJournal(journal);
        Assert.Equal("rollback-failed", (string?)events[^1]["status"]);
        Assert.Single(events, e => (string?)e["event"] == "undo-failed");
        Assert.Contains("simian recover --journal", run.Stdout);
    }

    private static int Applied(string journal)
    {
        if (!File.Exists(journal)) return 0;
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Count(l => l.Contains("\"event\":\"applied\""));
    }
}
