using System.Diagnostics;
using Simian.Core.Journal;
using Simian.Reliability.Tests.Support;

namespace Simian.Reliability.Tests.CloudFaults;

/// <summary>
/// A truly stopped endpoint during rollback, with the product's own rollback patience: a real `simian run`
/// holds a latency fault when its `simian proxy serve` is killed, then gets SIGINT. The undo cannot reach the
/// control API, so the run ends with exit 6 and a journal that says what is left; once a proxy server listens
/// on the same port again, `simian recover` finishes the job.
/// </summary>
public sealed class ProxyControlOutageTests
{
    [Fact]
    public async Task With_the_proxy_server_stopped_rollback_exits_6_and_recover_succeeds_once_it_listens_again()
    {
        using var cli = new TestCli();
        await using var world = await ProxyWorld.StartAsync(cli.StateDir);
        var profile = world.WriteProfile("control-outage", "2s", "300ms");
        var journal = Path.Combine(cli.StateDir, "control-outage.jsonl");
        using var run = new SimianProcess(cli.StateDir, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 1, TimeSpan.FromSeconds(30), () => "the fault applied\n" + run.Stderr);

        world.KillProxy();
        Process.Start("kill", ["-INT", run.Process.Id.ToString()])!.WaitForExit();
        // The defaults: six attempts with backoff, about 13 seconds against a port where nothing listens.
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exit == 6, $"exit {exit}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains($"simian recover --journal {journal}", run.Stdout);
        var state = JournalState.Read(journal);
        Assert.Equal("rollback-failed", state.Status);
        var pending = Assert.Single(state.Pending);
        Assert.Equal(ProxyWorld.ProxyName, pending.ResourceId);
        Assert.Equal(ProxyWorld.ProxyName, (string?)pending.Undo["proxy"]);
        Assert.StartsWith("simian-", (string?)pending.Undo["toxic"]);
        // The error says both what failed and why waiting is enough: the TTL.
        Assert.Contains("proxy control API unreachable", pending.LastError);
        Assert.Contains("lapses by itself at most 2s", pending.LastError);

        var early = await cli.RunAsync("recover", "--journal", journal);
        Assert.True(early.ExitCode == 6, early.ToString());

        await world.RestartProxyAsync();
        var recover = await cli.RunAsync("recover", "--journal", journal);
        Assert.True(recover.ExitCode == 0, recover.ToString());
        Assert.Contains("recovered: 0 restored, 1 already clean", recover.Stdout);
        Assert.Empty(await world.ToxicsAsync());
        Assert.Empty(JournalState.Read(journal).Pending);
    }
}
