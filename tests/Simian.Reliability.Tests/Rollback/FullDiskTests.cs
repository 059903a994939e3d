using Simian.Core;
using Simian.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace Simian.Reliability.Tests.Rollback;

/// <summary>
/// A journal on a real tmpfs that fills up mid-run (issue 10: "rollback is unconditional"). Before the fix a full
/// disk during a hold ended in "internal error" with the toxic left in place, and a full disk between two steps
/// never undid step 1.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output) : ProxyWorldTest
{
    [Fact(Timeout = 120_000)]
    public async Task A_full_disk_during_a_hold_still_rolls_back_every_change_and_says_what_recover_must_mark()
    {
        using var disk = SmallTmpfs.TryMount(64, out var whyNot);
        if (disk is null) { output.WriteLine("not run: " + whyNot); return; }
        var journal = Path.Combine(disk.Path, "run.jsonl");
        var profile = Profile("hold", """
              - {name: slow, fault: latency, target: px, params: {delay: 20ms}}
              - {pause: 5m}
            """, probes: true);
        using var run = new SimianProcess(State, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 1, TimeSpan.FromSeconds(60), () => "the fault to be applied\n" + run);

        disk.Fill();

        // A probe sample every 100 ms soon needs a page the disk no longer has.
        var code = await run.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(run.ToString());
        Assert.Equal(ExitCodes.RollbackIncomplete, code);
        Assert.Contains("No space left on device", run.Stderr);
        Assert.Contains("restored, but the journal could not record it: slow on " + ProxyWorld.ProxyName, run.Stderr);
        Assert.DoesNotContain("internal error", run.Stderr);
        Assert.Empty(await World.ToxicsAsync());

        // With space again, recover finds the change already undone and records it; a second recover finds nothing.
        disk.Free();
        var recover = await SimianProcess.RunToEndAsync(State, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover", "--journal", journal);
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        Assert.Contains("1 already clean", recover.Stdout);
        var again = await SimianProcess.RunToEndAsync(State, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover", "--journal", journal);
        Assert.Contains("nothing to recover", again.Stdout);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_full_disk_between_two_steps_still_undoes_the_first_and_makes_no_second_change()
    {
        using var disk = SmallTmpfs.TryMount(64, out var whyNot);
        if (disk is null) { output.WriteLine("not run: " + whyNot); return; }
        var journal = Path.Combine(disk.Path, "run.jsonl");
        // The second step's name is longer than a page: its first journal line cannot fit in what the file has left.
        var longName = "second-" + new string('x', 5000);
        var profile = Profile("between", $$$"""
              - {name: slow, fault: latency, target: px, params: {delay: 20ms}}
              - {pause: 3s}
              - {name: {{{longName}}}, fault: blackhole, target: px}
            """, probes: false);
        using var run = new SimianProcess(State, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Text(journal).Contains("\"phase\":\"start\",\"index\":1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), () => "the pause to start\n" + run);

        disk.Fill();

        var code = await run.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(run.ToString());
        // Rolled back either way; 6 when even the undo could not be recorded, 4 (aborted) when it could.
        Assert.True(code is ExitCodes.RollbackIncomplete or ExitCodes.Provider, $"exit {code}\n{run}");
        Assert.Contains("could not be written", run.Stdout + run.Stderr);
        Assert.DoesNotContain("internal error", run.Stderr);
        Assert.Empty(await World.ToxicsAsync());
        Assert.Equal(0, Journal.Count(journal, "intent") - 1);
    }

    private string Profile(string name, string method, bool probes)
    {
        var path = Path.Combine(State, name + ".yaml");
        var steady = probes
            ? $$$"""
              steadyState:
                interval: 100ms
                tolerance: 1000
                abortOnDeviation: false
                probes:
                  - {name: up, http: {url: "http://127.0.0.1:{{{World.ListenPort}}}/health", timeout: 5s}}
              """
            : "";
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: "{{{name}}}"}
            providers:
              local: {proxyControl: "http://127.0.0.1:{{{World.ControlPort}}}", faultTtl: 60s}
            targets:
              px: {type: local:proxy, selector: {names: [{{{ProxyWorld.ProxyName}}}]}}
            {{{steady}}}
            method:
            {{{method}}}
            rollback: always
            """);
        return path;
    }
}
