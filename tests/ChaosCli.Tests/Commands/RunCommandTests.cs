using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

[CollectionDefinition("fixed ports", DisableParallelization = true)]
public sealed class FixedPortsCollection;

/// <summary>End to end through the CLI entry point, against real processes and sockets on loopback.</summary>
[Collection("fixed ports")]
public sealed class RunCommandTests
{
    [Fact]
    public async Task Quickstart_breaks_the_probe_rolls_back_and_the_steady_state_returns()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Path("samples", "quickstart.yaml"), "--yes", "--output", "json");
        Assert.True(result.ExitCode == ExitCodes.Deviated, result.ToString());
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("deviated", (string?)json["status"]);
        Assert.Equal(1, (int)json["injected"]!);
        Assert.Equal(1, (int)json["restored"]!);
        Assert.True((bool)json["steadyStateAfter"]!);
        Assert.True((int)json["probes"]![0]!["failures"]! >= 2);
        Assert.Contains("rolling back 1 change(s)", result.Stderr);

        var events = ReadJournal((string)json["journal"]!);
        var kinds = events.Select(e => (string)e["event"]!).ToList();
        Assert.True(kinds.IndexOf("intent") < kinds.IndexOf("applied"));
        Assert.True(kinds.IndexOf("applied") < kinds.IndexOf("undone"));
        Assert.Equal("finished", kinds[^1]);
        Assert.Equal("deviated", (string?)events[^1]["status"]);
    }

    [Fact]
    public async Task A_fault_with_a_duration_ends_by_itself_and_a_deviation_without_abort_still_exits_5()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"), "--yes");
        Assert.True(result.ExitCode == ExitCodes.Deviated, result.ToString());
        Assert.Contains("duration over, ending the fault", result.Stderr);
        Assert.Contains("steady state after rollback: restored", result.Stdout);
        var events = ReadJournal(cli.Journals().Single());
        var faultSeq = (int)events.Single(e => (string?)e["event"] == "intent" && (string?)e["fault"] == "latency")["seq"]!;
        Assert.Equal("duration", (string?)events.Single(e => (string?)e["event"] == "undone" && (int?)e["seq"] == faultSeq)["by"]);
    }

    [Fact]
    public async Task Dry_run_changes_nothing_and_the_hypothesis_holds()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"), "--dry-run", "--output", "json");
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(0, (int)json["injected"]!);
        Assert.Equal(0, (int)json["probes"]![0]!["failures"]!);
        // The profile's demo service is started (the probes need it) and journaled; no fault is.
        Assert.DoesNotContain(ReadJournal((string)json["journal"]!), e => (string?)e["event"] == "intent" && (string?)e["step"] != "helpers");
        Assert.Equal("DRY RUN — nothing was injected", (string?)json["reason"]);
        Assert.DoesNotContain("hypothesis held", result.Stdout + result.Stderr);
        // Not a terminal: plain lines, no status line or colour codes.
        Assert.DoesNotContain("\u001b", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task Without_a_terminal_run_needs_yes_or_a_plan_and_changes_nothing()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"));
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("pass --yes", result.Stderr);
        Assert.Empty(cli.Journals());
    }

    [Fact]
    public async Task Require_approval_refuses_yes_alone()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Fixture("run-approval.yaml"), "--yes");
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("requireApproval", result.Stderr);
        Assert.Empty(cli.Journals());
    }

    [Fact]
    public async Task On_a_terminal_the_plan_is_shown_and_anything_but_yes_refuses()
    {
        using var cli = new TestCli(terminal: new ScriptedTerminal(interactive: true, "no"));
        var result = await cli.RunAsync("run", Repo.Fixture("run-approval.yaml"));
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("Verdict: ALLOWED", result.Stderr);
        Assert.Contains("Type 'yes' to approve", result.Stderr);
        Assert.Empty(cli.Journals());
    }

    [Fact]
    public async Task An_approved_plan_runs_and_a_drifted_or_tampered_plan_is_refused()
    {
        using var cli = new TestCli();
        var planFile = Path.Combine(cli.StateDir, "plan.json");
        var plan = await cli.RunAsync("plan", Repo.Fixture("run-approval.yaml"), "--out", planFile);
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());

        // Drift: the profile changed after approval.
        var drifted = Path.Combine(cli.StateDir, "drifted.yaml");
        File.WriteAllText(drifted, File.ReadAllText(Repo.Fixture("run-approval.yaml")).Replace("delay: 800ms", "delay: 900ms"));
        var drift = await cli.RunAsync("run", drifted, "--plan", planFile);
        Assert.Equal(ExitCodes.Refused, drift.ExitCode);
        Assert.Contains("plan drift", drift.Stderr);

        // Tampering: the fingerprint in the approved file was edited.
        var tampered = Path.Combine(cli.StateDir, "tampered.json");
        var node = JsonNode.Parse(File.ReadAllText(planFile))!;
        node["fingerprint"] = "sha256:" + new string('0', 64);
        File.WriteAllText(tampered, node.ToJsonString());
        var tamper = await cli.RunAsync("run", Repo.Fixture("run-approval.yaml"), "--plan", tampered);
        Assert.Equal(ExitCodes.Refused, tamper.ExitCode);
        Assert.Empty(cli.Journals());

        var approved = await cli.RunAsync("run", Repo.Fixture("run-approval.yaml"), "--plan", planFile);
        Assert.True(approved.ExitCode == ExitCodes.Deviated, approved.ToString());
        Assert.Single(cli.Journals());
    }

    [Fact]
    public async Task A_plan_file_that_is_not_a_plan_is_invalid_input()
    {
        using var cli = new TestCli();
        var bogus = Path.Combine(cli.StateDir, "bogus.json");
        File.WriteAllText(bogus, "{\"hello\": 1}");
        var result = await cli.RunAsync("run", Repo.Fixture("run-approval.yaml"), "--plan", bogus);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("is not a simian plan", result.Stderr);
    }

    internal static List<JsonObject> ReadJournal(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();

    /// <summary>The journal locks itself (an open-file-description lock on the journal file): no `.lock` file is left beside it.</summary>
    [Fact]
    public async Task A_run_leaves_its_journal_and_nothing_beside_it()
    {
        using var cli = new TestCli();
        var profile = cli.Write("lockless.yaml", """
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: lockless}
            targets:
              nothing: {type: local:process, selector: {commandContains: no-such-process-for-lockless}, optional: true}
            method:
              - {pause: 10ms}
            """);
        var run = await cli.RunAsync("run", profile, "--yes");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var files = Directory.GetFiles(Path.Combine(cli.StateDir, "journals"));
        Assert.Single(files);
        Assert.EndsWith(".jsonl", files[0]);
    }

    /// <summary>The quickstart's ports are fixed: when one is taken, the run says which and how to choose another, and changes nothing.</summary>
    [Fact]
    public async Task The_quickstart_says_which_port_is_taken_and_how_to_choose_another()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 18080);
        taken.Start();
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Path("samples", "quickstart.yaml"), "--yes");
        Assert.NotEqual(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("cannot listen on 127.0.0.1:18080", result.ToString());
        Assert.Contains("choose another with --port", result.ToString());
        Assert.Contains("changes made: 0", result.Stdout);
    }
}
