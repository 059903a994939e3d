using System.Text.Json.Nodes;
using Simian.Aws;
using Simian.Aws.Resilience;
using Simian.Core.Journal;
using Simian.Proxy;
using Simian.Reliability.Tests.Support;
using Simian.Sandbox;
using Xunit.Abstractions;

namespace Simian.Reliability.Tests.CloudFaults;

/// <summary>
/// The cloud goes away after the faults are in and before rollback: the run must say so (exit 6, journal
/// `rollback-failed`, every change still pending with what undoes it), and a later `simian recover` must put
/// everything back once the cloud is there again. Two outages: the endpoint answers every call with a 500, or
/// nothing listens on its port at all (the sandbox sits behind a TCP proxy whose listener is closed and later
/// opened again on the same port, so the cloud comes back with the same state).
/// </summary>
public sealed class RollbackOutageTests(ITestOutputHelper output)
{
    public enum Outage
    {
        EveryCallFails,
        NothingListens,
    }

    /// <summary>Short AWS undo retries, so rollback against a dead endpoint gives up in seconds (the defaults take minutes).</summary>
    private static readonly AwsProviderOptions ShortUndo = new()
    {
        UndoRetry = new AwsRetryPolicy(MaxAttempts: 3, FirstDelay: TimeSpan.FromMilliseconds(50), MaxDelay: TimeSpan.FromMilliseconds(200),
            AttemptTimeout: TimeSpan.FromSeconds(5), TotalTimeout: TimeSpan.FromSeconds(15), RetryUnreachable: true),
        StatePollInterval = TimeSpan.FromMilliseconds(100),
    };

    [Theory]
    [InlineData(Outage.EveryCallFails)]
    [InlineData(Outage.NothingListens)]
    public async Task With_the_cloud_down_during_rollback_the_run_exits_6_and_recover_restores_everything_once_it_is_back(Outage outage)
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        await using var front = new ProxyServer(TimeProvider.System, new Random(7));
        var port = Wait.FreePort();
        var listen = $"127.0.0.1:{port}";
        var upstream = $"127.0.0.1:{sandbox.Endpoint.Port}";
        front.CreateProxy("aws", listen, upstream);

        using var cli = new TestCli(env: AwsSandbox.GameDay, aws: ShortUndo);
        var profile = GameDayProfile.StopTwoAndDeny("cloud-outage", $"http://{listen}").WriteTo(cli.StateDir, "outage.yaml");
        var journal = Path.Combine(cli.StateDir, "outage.jsonl");

        var running = cli.RunAsync("run", profile, "--yes", "--output", "json", "--journal", journal);
        try
        {
            await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 3 || running.IsCompleted, TimeSpan.FromSeconds(60),
                () => "three changes applied\n" + Journal.Text(journal));
        }
        catch (TimeoutException)
        {
            cli.Services.Signals.Raise("SIGINT");
            await running.WaitAsync(TimeSpan.FromMinutes(2));
            throw;
        }
        if (running.IsCompleted) Assert.Fail("the run ended before its faults were held: " + await running);
        var stopped = Journal.Events(journal).OfType<ChangeIntended>().Where(e => e.Fault == "instance-stop")
            .Select(e => e.Resource.Id).ToList();
        Assert.Equal(2, stopped.Count);

        // The cloud goes down, then the operator presses Ctrl-C: rollback meets the outage.
        if (outage == Outage.EveryCallFails) sandbox.SetFaults(new SandboxFaults(0, 1.0));
        else Assert.True(front.RemoveProxy("aws"));
        cli.Services.Signals.Raise("SIGINT");
        var run = await running.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 6, run.ToString());
        var summary = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("rollback-failed", (string?)summary["status"]);
        Assert.Equal(3, summary["notRestored"]!.AsArray().Count);
        var events = Journal.Events(journal);
        output.WriteLine(string.Join('\n', events.Where(e => e is ChangeUndoFailed or RunFinished).Select(e => e.ToString())));
        var finished = Assert.IsType<RunFinished>(events[^1]);
        Assert.Equal("finished", finished.Kind);
        Assert.Equal("rollback-failed", finished.Status);
        Assert.Equal(6, finished.ExitCode);
        Assert.Contains($"simian recover --journal {journal}", finished.Summary);
        Assert.DoesNotContain(events, e => e.Kind == "undone");

        // The journal says exactly what is left and how to undo it: each change is pending, its undo-failed
        // line names the resource, and its intent holds the state to restore.
        var state = JournalState.Read(journal);
        Assert.Equal(3, state.Pending.Count);
        foreach (var change in state.Pending)
        {
            var failure = Assert.Single(events.OfType<ChangeUndoFailed>(), e => e.Seq == change.Seq);
            Assert.Contains(change.ResourceId, failure.Error);
        }
        Assert.Equal(stopped.Order(), state.Pending.Where(c => c.Fault == "instance-stop").Select(c => c.ResourceId).Order());
        Assert.All(state.Pending.Where(c => c.Fault == "instance-stop"), c => Assert.Equal("running", (string?)c.Undo["state"]));
        var deny = Assert.Single(state.Pending, c => c.Fault == "bucket-deny");
        Assert.Equal("site-assets", deny.ResourceId);
        Assert.Equal(original, (string?)deny.Undo["original"]);
        Assert.All(stopped, id => Assert.Equal("stopped", sandbox.State.InstanceState(id)));
        Assert.NotEqual(original, sandbox.State.BucketPolicy("site-assets"));

        // While the cloud is still down, recover cannot finish either, and says so.
        var early = await cli.RunAsync("recover", "--journal", journal);
        Assert.True(early.ExitCode == 6, early.ToString());
        Assert.Contains("incomplete", early.Stdout);
        Assert.Equal(3, JournalState.Read(journal).Pending.Count);

        // The cloud is back (the same state, on the same port): recover puts everything back.
        if (outage == Outage.EveryCallFails) sandbox.SetFaults(new SandboxFaults(0, 0));
        else front.CreateProxy("aws", listen, upstream);
        var recover = await cli.RunAsync("recover", "--journal", journal);
        Assert.True(recover.ExitCode == 0, recover.ToString());
        Assert.Contains("3 restored", recover.Stdout);
        Assert.All(stopped, id => Assert.Equal("running", sandbox.State.InstanceState(id)));
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
        Assert.Empty(JournalState.Read(journal).Pending);

        var again = await cli.RunAsync("recover", "--journal", journal);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to recover", again.Stdout);
    }
}
