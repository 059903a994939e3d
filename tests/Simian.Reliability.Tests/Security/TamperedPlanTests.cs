using System.Text.Json.Nodes;
using Simian.Reliability.Tests.Support;
using Simian.Sandbox;

namespace Simian.Reliability.Tests.Security;

/// <summary>
/// `run --plan` runs only what was approved. A plan file whose fingerprint was edited, or whose content was
/// edited while the fingerprint was kept (another instance put in place of a selected one, another seed), is
/// refused with exit 3 before anything is changed.
/// </summary>
public sealed class TamperedPlanTests
{
    public enum Tampering
    {
        FingerprintEdited,
        SelectedIdSwapped,
        StepResourceSwapped,
        SeedChanged,
        ExperimentRenamed,
    }

    [Theory]
    [InlineData(Tampering.FingerprintEdited)]
    [InlineData(Tampering.SelectedIdSwapped)]
    [InlineData(Tampering.StepResourceSwapped)]
    [InlineData(Tampering.SeedChanged)]
    [InlineData(Tampering.ExperimentRenamed)]
    public async Task A_tampered_plan_file_is_refused_with_exit_3_and_nothing_changes(Tampering tampering)
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        using var cli = new TestCli(env: AwsSandbox.GameDay);
        var profile = new GameDayProfile("approved-stop", AwsSandbox.EndpointOf(sandbox))
            .Web()
            .Safety("maxTargets: 2")
            .Step("{name: stop-two, fault: instance-stop, target: web, duration: 1s}")
            .WriteTo(cli.StateDir, "approve.yaml");
        var planFile = Path.Combine(cli.StateDir, "plan.json");
        var plan = await cli.RunAsync("plan", profile, "--out", planFile, "--seed", "5");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var approved = JsonNode.Parse(File.ReadAllText(planFile))!;
        var selected = approved["targets"]![0]!["selected"]!.AsArray().Select(n => (string)n!).ToList();
        var other = sandbox.State.Instances().First(i => i.Tags.GetValueOrDefault("app") == "web" && !selected.Contains(i.Id)).Id;

        var tampered = Tamper(approved.DeepClone(), tampering, selected[0], other);
        var tamperedFile = Path.Combine(cli.StateDir, "tampered.json");
        File.WriteAllText(tamperedFile, tampered.ToJsonString());
        if (tampering == Tampering.SeedChanged)
        {
            // Only a seed that picks other instances is a meaningful edit.
            var replanned = JsonNode.Parse((await cli.RunAsync("plan", profile, "--output", "json", "--seed", tampered["seed"]!.ToString())).Stdout)!;
            Assert.NotEqual(selected, replanned["targets"]![0]!["selected"]!.AsArray().Select(n => (string)n!).ToList());
        }

        var run = await cli.RunAsync("run", profile, "--plan", tamperedFile);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("nothing was changed", run.Stderr);
        Assert.All(sandbox.State.Instances(), i => Assert.Equal("running", i.State));
        Assert.False(sandbox.State.CallCounts().ContainsKey("ec2:StopInstances"), "an instance was stopped");
        Assert.Empty(Directory.GetFiles(cli.StateDir, "*.jsonl", SearchOption.AllDirectories));

        // The untouched file still runs: the refusal was about the edit, not the plan.
        var genuine = await cli.RunAsync("run", profile, "--plan", planFile, "--output", "json");
        Assert.True(genuine.ExitCode == 0, genuine.ToString());
        Assert.Equal(2, sandbox.State.CallCounts()["ec2:StopInstances"]);
        Assert.All(sandbox.State.Instances(), i => Assert.Equal("running", i.State));
    }

    private static JsonNode Tamper(JsonNode plan, Tampering tampering, string selectedId, string otherId)
    {
        switch (tampering)
        {
            case Tampering.FingerprintEdited:
                var fingerprint = (string)plan["fingerprint"]!;
                plan["fingerprint"] = fingerprint[..^1] + (fingerprint[^1] == '0' ? '1' : '0');
                break;
            case Tampering.SelectedIdSwapped:
                // What a reviewer reads: the selection and the step's resources both name the other instance.
                Swap(plan["targets"]![0]!["selected"]!.AsArray(), selectedId, otherId);
                Swap(plan["method"]![0]!["resources"]!.AsArray(), selectedId, otherId);
                break;
            case Tampering.StepResourceSwapped:
                Swap(plan["method"]![0]!["resources"]!.AsArray(), selectedId, otherId);
                break;
            case Tampering.SeedChanged:
                plan["seed"] = (long)plan["seed"]! + 1;
                break;
            case Tampering.ExperimentRenamed:
                plan["experiment"] = "something-else";
                break;
        }
        return plan;
    }

    private static void Swap(JsonArray ids, string from, string to)
    {
        var i = ids.Select(n => (string)n!).ToList().IndexOf(from);
        Assert.True(i >= 0, $"{from} is not in {ids.ToJsonString()}");
        ids[i] = to;
    }
}
