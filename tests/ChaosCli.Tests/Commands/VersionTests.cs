using System.Text.Json;
using System.Xml.Linq;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

/// <summary>One version, from one source (Version in Directory.Build.props): what --version prints, what the tool
/// package is, what the journal records, what the report and the JSON outputs state.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task The_version_is_the_same_everywhere()
    {
        var declared = XDocument.Load(Repo.Path("Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.StartsWith(declared + "+", SimianVersion.Text);
        // No project sets a version of its own that could drift from it.
        foreach (var project in Directory.GetFiles(Repo.Path("src"), "*.csproj", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(XDocument.Load(project).Descendants(), e => e.Name.LocalName is "Version" or "VersionPrefix" or "PackageVersion");
        }

        using var cli = new TestCli();
        var version = await cli.RunAsync("--version");
        Assert.Equal(SimianVersion.Text, version.Stdout.Trim());

        var profile = cli.Write("v.yaml", """
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: version}
            targets:
              nothing: {type: local:process, selector: {commandContains: no-such-process-anywhere-at-all}, optional: true}
            method:
              - {pause: 10ms}
            """);
        var plan = await cli.RunAsync("plan", profile, "--output", "json");
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        Assert.Equal(SimianVersion.Text, JsonDocument.Parse(plan.Stdout).RootElement.GetProperty("simianVersion").GetString());
        var run = await cli.RunAsync("run", profile, "--yes", "--output", "json");
        Assert.Equal(SimianVersion.Text, JsonDocument.Parse(run.Stdout).RootElement.GetProperty("simianVersion").GetString());
        var journal = cli.Journals().Single();
        Assert.Equal(SimianVersion.Text, Simian.Core.Journal.JournalState.Read(journal).Start!.SimianVersion);
        var report = await cli.RunAsync("report", journal, "--format", "md");
        Assert.Contains($"- **Simian:** {SimianVersion.Text}", report.Stdout);
    }
}
