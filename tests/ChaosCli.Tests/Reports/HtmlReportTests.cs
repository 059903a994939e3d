using System.Xml;
using System.Xml.Linq;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Reports;

/// <summary>The HTML report's structure, parsed as XML: one self-contained page with the timeline chart.</summary>
public sealed class HtmlReportTests
{
    private static readonly XNamespace Html = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact(Timeout = 30_000)]
    public async Task The_page_is_well_formed_and_has_the_same_facts_as_the_markdown()
    {
        var (page, _) = await RenderAsync(SampleJournals.Deviated());
        Assert.Equal("Simian report: quickstart — DEVIATED", page.Descendants(Html + "title").Single().Value);
        var facts = page.Descendants(Html + "dt").Select(dt => dt.Value).ToList();
        Assert.Equal(["Run", "Experiment", "Fingerprint", "Simian", "Started", "Ended", "Duration", "Exit code", "Journal"], facts);
        Assert.Contains("hypothesis deviated: probe 'api-fast' failed 2 times in a row", Section(page, "p", "verdict").Value);
        var changes = page.Descendants(Html + "section").Single(s => (string?)s.Attribute("id") == "changes");
        Assert.Equal(2, changes.Descendants(Html + "tbody").Single().Elements(Html + "tr").Count());
        Assert.Contains("restored by rollback at +2.939s", changes.Value);
        var probes = page.Descendants(Html + "section").Single(s => (string?)s.Attribute("id") == "probes");
        Assert.Contains("606 ms", probes.Value);
        var events = page.Descendants(Html + "ol").Single().Elements(Html + "li").Select(li => li.Value).ToList();
        Assert.Contains(events, e => e.StartsWith("+2.877s rollback:", StringComparison.Ordinal));
        Assert.DoesNotContain(page.Descendants(), e => (string?)e.Attribute("id") == "what-to-do");
    }

    [Fact(Timeout = 30_000)]
    public async Task The_chart_shades_each_fault_window_marks_rollbacks_and_draws_each_probe()
    {
        var (page, _) = await RenderAsync(SampleJournals.Deviated());
        var chart = Chart(page);
        Assert.Equal("0 0 960 360", (string?)chart.Attribute("viewBox"));
        var windows = WithClass(chart, "fault-window").ToList();
        Assert.Equal(2, windows.Count);
        // From applied (0.212s of 2.985s) to undone (2.939s), on a 872px-wide plot starting at x=68 with a 2% margin each end.
        Assert.Equal(PlotX(0.212, 2.985), double.Parse((string)windows[0].Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture), 0.1);
        Assert.Equal(PlotX(2.939, 2.985) - PlotX(0.212, 2.985), double.Parse((string)windows[0].Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture), 0.1);
        Assert.Single(WithClass(chart, "rollback-mark"));
        var series = Assert.Single(WithClass(chart, "probe-series"));
        Assert.Equal("api-fast", (string?)series.Attribute("data-probe"));
        Assert.Equal(2, WithClass(series, "fail-mark").Count());
        Assert.Equal(2, series.Elements(Svg + "circle").Count());
        var xLabels = chart.Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("0s", xLabels);
        Assert.Contains("2.5s", xLabels);
        Assert.Contains("seconds from start", xLabels);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_fault_never_undone_is_shaded_to_the_end_and_the_page_says_what_to_do()
    {
        var (page, _) = await RenderAsync(SampleJournals.Crashed());
        var chart = Chart(page);
        var windows = WithClass(chart, "fault-window").ToList();
        Assert.Equal(2, windows.Count);
        Assert.All(windows, w => Assert.Contains("open", (string)w.Attribute("class")!));
        Assert.All(windows, w => Assert.Equal(PlotX(double.MaxValue, 1), X(w) + Width(w), 0.2));
        Assert.Empty(WithClass(chart, "rollback-mark"));
        var todo = page.Descendants(Html + "section").Single(s => (string?)s.Attribute("id") == "what-to-do");
        Assert.StartsWith("simian recover --journal ", todo.Descendants(Html + "code").Single().Value);
        Assert.Equal(2, page.Descendants(Html + "ul").Single(u => (string?)u.Attribute("class") == "pending").Elements().Count());
    }

    [Fact(Timeout = 30_000)]
    public async Task No_probes_still_draws_a_chart_that_says_so()
    {
        var journal = new JournalBuilder().At(0).Started("dry", dryRun: true)
            .At(0.5).Note("would-apply", "slow: add 300ms latency on db-a")
            .At(0.6).Finished("completed", 0, "hypothesis held");
        var (page, html) = await RenderAsync(journal);
        var chart = Chart(page);
        Assert.Empty(WithClass(chart, "probe-series"));
        Assert.Empty(WithClass(chart, "fault-window"));
        Assert.Contains("no probe checks recorded", chart.Value);
        Assert.Contains("This was a dry run: nothing was changed.", html);
        Assert.Contains("None: this was a dry run.", html);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_single_check_at_the_very_start_is_one_dot_on_a_one_second_axis()
    {
        var journal = new JournalBuilder().At(0).Started("one").Probe("before", "only", true, 0).Finished("completed", 0, "hypothesis held");
        var (page, _) = await RenderAsync(journal);
        var series = Assert.Single(WithClass(Chart(page), "probe-series"));
        var dot = Assert.Single(series.Elements(Svg + "circle"));
        // Inside the plot, not on its left edge (x=68): the axis has a margin at each end.
        Assert.Equal(PlotX(0, 1), double.Parse((string)dot.Attribute("cx")!, System.Globalization.CultureInfo.InvariantCulture), 0.1);
        Assert.True(PlotX(0, 1) > 68 + 10);
        Assert.Empty(series.Elements(Svg + "polyline"));
        Assert.Contains("1s", Chart(page).Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact(Timeout = 30_000)]
    public async Task Hundreds_of_checks_become_lines_and_one_path_of_crosses_without_thousands_of_elements()
    {
        var journal = new JournalBuilder().At(0).Started("long").At(1).Intent(1, "slow", "db-a").Applied(1);
        for (var i = 0; i < 1500; i++)
        {
            journal.At(1 + i * 0.5).Probe("during", "p95", i % 50 != 7, 100 + i % 37 * 10);
            journal.At(1.2 + i * 0.5).Probe("during", "health", true, 5 + i % 3);
        }
        journal.At(800).Note("rollback", "rolling back 1 change(s): interrupted by SIGINT").At(801).Undone(1, "rollback")
            .At(802).Finished("interrupted", 130, "interrupted by SIGINT");
        var (page, html) = await RenderAsync(journal);
        var chart = Chart(page);
        Assert.Equal(2, WithClass(chart, "probe-series").Count());
        Assert.Empty(chart.Descendants(Svg + "circle"));
        var crosses = Assert.Single(WithClass(chart, "fail-mark"));
        Assert.Equal(30, ((string)crosses.Attribute("d")!).Split('M').Length / 2);
        Assert.True(html.Length < 400_000, $"page is {html.Length} characters");
        Assert.Contains("800s", chart.Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_journal_value_is_escaped_and_nothing_can_run_or_load()
    {
        const string evil = "<script>alert(1)</script>";
        var journal = new JournalBuilder()
            .At(0).Started("x\"><img src=x onerror=alert(2)>")
            .At(0.1).Probe("before", evil, true, 10, "<b>bold</b> & \"quoted\" 'single'")
            .At(0.2).Step("start", 0, evil)
            .At(0.3).Intent(1, evil, "</svg><script>alert(3)</script>", label: "a & b")
            .At(0.4).Applied(1)
            .At(1).Probe("during", evil, false, 700, evil)
            .At(1.1).Note("deviation", evil)
            .At(1.2).Note("rollback", evil)
            .At(1.3).Undone(1, "rollback")
            .At(1.4).Finished("deviated", 5, evil);
        var (page, html) = await RenderAsync(journal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain(page.Descendants(), e => e.Name.LocalName is "script" or "img" or "link" or "iframe" or "object");
        Assert.Equal(evil, (string?)WithClass(Chart(page), "probe-series").Single().Attribute("data-probe"));
        Assert.Contains(page.Descendants(Html + "code"), c => c.Value == evil);
        // Self-contained: no URLs but the XML namespaces, nothing to fetch.
        var urls = System.Text.RegularExpressions.Regex.Matches(html, @"(https?:)?//[a-z0-9.-]+", System.Text.RegularExpressions.RegexOptions.IgnoreCase)
            .Select(m => m.Value).Distinct().ToList();
        Assert.All(urls, u => Assert.Contains(u, new[] { "http://www.w3.org" }));
        Assert.Contains("default-src 'none'", html);
        Assert.DoesNotContain(page.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href" || a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
        Assert.DoesNotContain("@import", html);
    }

    [Fact(Timeout = 30_000)]
    public async Task Control_characters_and_unknown_events_do_not_break_the_page()
    {
        var journal = new JournalBuilder()
            .At(0).Started("ctl")
            .At(1).Probe("before", "p\u0000", false, 12, "\u001b[31mred\u001b[0m\r\nsecond line\u0007")
            .At(2).Note("future-event", "from a newer simian")
            .At(3).Finished("completed", 0, "hypothesis held");
        var (page, html) = await RenderAsync(journal);
        Assert.DoesNotContain('\u001b', html);
        Assert.DoesNotContain('\u0000', html);
        Assert.Contains("\uFFFD[31mred", html);
        Assert.Contains(page.Descendants(Html + "li"), li => li.Value.EndsWith("future-event: from a newer simian", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task Out_writes_the_html_page_owner_only()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = MarkdownReportTests.Write(cli, "deviated", SampleJournals.Deviated());
        var outFile = Path.Combine(cli.StateDir, "report.html");
        var result = await cli.RunAsync("report", journal, "--format", "html", "--out", outFile);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(outFile));
        Assert.NotNull(Chart(Parse(File.ReadAllText(outFile))));
    }

    internal static async Task<(XDocument Page, string Html)> RenderAsync(JournalBuilder journal)
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var path = MarkdownReportTests.Write(cli, "run", journal);
        var result = await cli.RunAsync("report", path, "--format", "html");
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        return (Parse(result.Stdout), result.Stdout);
    }

    internal static XDocument Parse(string html)
    {
        // The page is XHTML-compatible: it parses as XML once the HTML5 doctype is let through.
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    private static XElement Chart(XDocument page) => page.Descendants(Svg + "svg").Single(e => (string?)e.Attribute("id") == "timeline");

    private static XElement Section(XDocument page, string element, string cssClass) =>
        page.Descendants(Html + element).Single(e => (string?)e.Attribute("class") == cssClass);

    private static IEnumerable<XElement> WithClass(XElement root, string cssClass) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    private static double X(XElement e) => double.Parse((string)e.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture);

    private static double Width(XElement e) => double.Parse((string)e.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Where a time lands on the chart: a 872px plot from x=68, the axis running 2% of the span past each end.</summary>
    private static double PlotX(double seconds, double span)
    {
        var pad = span * 0.02;
        return 68 + (Math.Min(seconds, span + pad) + pad) / (span + 2 * pad) * 872;
    }
}
