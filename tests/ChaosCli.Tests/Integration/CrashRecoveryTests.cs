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

    private static int Applied(string journal)
    {
        if (!File.Exists(journal)) return 0;
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Count(l => l.Contains("\"event\":\"applied\""));
    }
}
