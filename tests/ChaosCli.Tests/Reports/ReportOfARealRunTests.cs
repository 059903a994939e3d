using System.Xml.Linq;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Reports;

/// <summary>A report on a journal the real runner wrote, so the report keeps up with the journal format.</summary>
[Collection("fixed ports")]
public sealed class ReportOfARealRunTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_real_runs_journal_reports_its_fault_probes_and_verdict_in_both_formats()
    {
        using var cli = new TestCli();
        var run = await cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"), "--yes");
        Assert.True(run.ExitCode == ExitCodes.Deviated, run.ToString());
        var journal = cli.Journals().Single();

        var md = await cli.RunAsync("report", journal);
        Assert.True(md.ExitCode == ExitCodes.Ok, md.ToString());
        Assert.StartsWith("# Simian report: run-proxy — DEVIATED\n", md.Stdout);
        Assert.Contains("**Verdict:** deviated — hypothesis deviated", md.Stdout);
        Assert.Matches(@"\| 2 \| `slow` \| `latency` \| `svc` \(`local:proxy`\) \| `svc` \(`127\.0\.0\.1:26081 -> 127\.0\.0\.1:26080`\) \| yes, \+[0-9.]+s \| restored when its duration ended, at \+[0-9.]+s \|", md.Stdout);
        // Its limit comes from the profile the run started with (maxLatency), recorded in the journal.
        Assert.Matches(@"\| `svc-fast` \| [0-9.]+ ms \| [0-9]+ \| [1-9][0-9]* \|", md.Stdout);
        Assert.DoesNotContain("What to do", md.Stdout);

        var html = await cli.RunAsync("report", journal, "--format", "html");
        Assert.True(html.ExitCode == ExitCodes.Ok, html.ToString());
        var page = HtmlReportTests.Parse(html.Stdout);
        XNamespace svg = "http://www.w3.org/2000/svg";
        var chart = page.Descendants(svg + "svg").Single(e => (string?)e.Attribute("id") == "timeline");
        Assert.Single(chart.Descendants(), e => (string?)e.Attribute("class") == "fault-window");
        Assert.Single(chart.Descendants(), e => ((string?)e.Attribute("class"))?.StartsWith("probe-series", StringComparison.Ordinal) == true);
        Assert.Contains(chart.Descendants(), e => (string?)e.Attribute("class") == "fail-mark");
    }
}
