using System.Text.Json;
using System.Text.RegularExpressions;
using Simian.Cli.Tests.Support;
using Simian.Core;
using Xunit.Abstractions;

namespace Simian.Cli.Tests.Reports;

/// <summary>The HTML report rendered by a real browser: a picture with the chart in it, and the chart laid out at a real size.</summary>
public sealed partial class ChromiumRenderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("simian-report-render-").FullName;

    public static IEnumerable<object[]> Runs => [["deviated"], ["crashed"], ["many-checks"]];

    [ToolTheory(Tools.Chromium, Timeout = 180_000)]
    [MemberData(nameof(Runs))]
    public async Task The_report_renders_as_a_picture_with_probes_faults_and_failed_checks_in_it(string run)
    {
        var chromium = Chromium.FindOrFailInCi(output);
        if (chromium is null) return;
        var page = await WriteReportAsync(Journal(run));
        var png = Path.Combine(_dir, run + ".png");
        await chromium.ScreenshotAsync(page, png, _dir);

        var image = Png.Decode(await File.ReadAllBytesAsync(png));
        Assert.Equal(1200, image.Width);
        Assert.Equal(900, image.Height);
        var colours = new HashSet<(byte, byte, byte)>();
        int red = 0, shaded = 0;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image.Rgb(x, y);
                colours.Add((r, g, b));
                if (r > 170 && g < 90 && b < 100) red++;
                if (r > 200 && r - b > 25 && g > 150) shaded++;
            }
        }
        Assert.True(colours.Count > 32, $"the screenshot has only {colours.Count} colour(s)");
        Assert.True(red > 20, $"no red failure crosses visible ({red} red pixels)");
        Assert.True(shaded > 2000, $"no fault window shading visible ({shaded} shaded pixels)");
        // Kept next to the test assembly for a person to look at.
        var keep = Path.Combine(AppContext.BaseDirectory, "report-screenshots");
        Directory.CreateDirectory(keep);
        File.Copy(png, Path.Combine(keep, run + ".png"), overwrite: true);
        output.WriteLine($"screenshot: {Path.Combine(keep, run + ".png")}");
    }

    [ToolFact(Tools.Chromium, Timeout = 180_000)]
    public async Task In_the_browser_the_timeline_has_a_real_size_and_holds_its_windows_marks_and_series()
    {
        var chromium = Chromium.FindOrFailInCi(output);
        if (chromium is null) return;
        var page = await WriteReportAsync(SampleJournals.Deviated());
        var html = await File.ReadAllTextAsync(page);
        // The page's own policy forbids scripts; this measuring copy drops the policy and adds one.
        var measuring = CspMeta().Replace(html, "").Replace("</body>", MeasureScript + "</body>", StringComparison.Ordinal);
        Assert.NotEqual(html.Length, measuring.Length - MeasureScript.Length);
        var copy = Path.Combine(_dir, "measure.html");
        await File.WriteAllTextAsync(copy, measuring);

        var m = Measurement(await chromium.DumpDomAsync(copy, _dir));
        Assert.NotNull(m);
        var box = m.Value;
        Assert.True(box.GetProperty("width").GetDouble() > 800, box.ToString());
        Assert.True(box.GetProperty("height").GetDouble() > 250, box.ToString());
        Assert.Equal(2, box.GetProperty("windows").GetArrayLength());
        Assert.All(box.GetProperty("windows").EnumerateArray(), w => Assert.True(w.GetDouble() > 100, box.ToString()));
        Assert.Equal(1, box.GetProperty("rollbacks").GetInt32());
        // The probe's maxLatency is a visible dashed line across the plot, inside it, in a colour.
        var threshold = Assert.Single(box.GetProperty("thresholds").EnumerateArray());
        Assert.True(threshold.GetProperty("w").GetDouble() > 700, box.ToString());
        Assert.InRange(threshold.GetProperty("top").GetDouble(), 1, box.GetProperty("height").GetDouble() - 1);
        Assert.NotEqual("none", threshold.GetProperty("dash").GetString());
        Assert.NotEqual("none", threshold.GetProperty("stroke").GetString());
        // Deviation and rollback, 7ms apart here, have heads of their own that do not overlap, each visible and filled.
        var heads = box.GetProperty("heads").EnumerateArray().ToList();
        var deviation = Assert.Single(heads, x => x.GetProperty("kind").GetString() == "deviation-mark");
        var rollback = Assert.Single(heads, x => x.GetProperty("kind").GetString() == "rollback-mark");
        Assert.All(heads, x => Assert.True(x.GetProperty("w").GetDouble() > 4 && x.GetProperty("h").GetDouble() > 4 && x.GetProperty("fill").GetString() != "none", box.ToString()));
        Assert.True(deviation.GetProperty("y").GetDouble() > rollback.GetProperty("y").GetDouble() + rollback.GetProperty("h").GetDouble(), box.ToString());
        Assert.NotEqual(deviation.GetProperty("fill").GetString(), rollback.GetProperty("fill").GetString());
        // The fault windows carry their step's name.
        Assert.Contains("slow-api", box.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(1, box.GetProperty("series").GetInt32());
        Assert.Equal(1, box.GetProperty("scripts").GetInt32());
    }

    [ToolFact(Tools.Chromium, Timeout = 180_000)]
    public async Task The_pages_own_policy_keeps_a_smuggled_script_from_running()
    {
        var chromium = Chromium.FindOrFailInCi(output);
        if (chromium is null) return;
        var page = await WriteReportAsync(SampleJournals.Deviated());
        var html = await File.ReadAllTextAsync(page);
        var copy = Path.Combine(_dir, "smuggled.html");
        await File.WriteAllTextAsync(copy, html.Replace("</body>", MeasureScript + "</body>", StringComparison.Ordinal));
        var dom = await chromium.DumpDomAsync(copy, _dir);
        Assert.Contains("id=\"timeline\"", dom);
        Assert.Null(Measurement(dom));
    }

    private const string MeasureScript = """
        <script>
        var t = document.getElementById('timeline').getBoundingClientRect();
        var out = document.createElement('pre');
        out.id = 'measure';
        out.textContent = JSON.stringify({
          width: t.width, height: t.height,
          windows: Array.from(document.querySelectorAll('#timeline .fault-window')).map(function (w) { return w.getBoundingClientRect().width; }),
          rollbacks: document.querySelectorAll('#timeline .rollback-mark').length,
          thresholds: Array.from(document.querySelectorAll('#timeline .threshold line')).map(function (l) { var b = l.getBoundingClientRect(); return { w: b.width, top: b.top - t.top, stroke: getComputedStyle(l).stroke, dash: getComputedStyle(l).strokeDasharray }; }),
          heads: Array.from(document.querySelectorAll('#timeline .mark-head')).map(function (p) { var b = p.getBoundingClientRect(); return { kind: p.parentNode.getAttribute('class'), x: b.left - t.left, y: b.top - t.top, w: b.width, h: b.height, fill: getComputedStyle(p).fill }; }),
          labels: Array.from(document.querySelectorAll('#timeline .fault-label')).map(function (l) { return l.textContent; }),
          series: document.querySelectorAll('#timeline .probe-series').length,
          scripts: document.scripts.length
        });
        document.body.appendChild(out);
        </script>
        """;

    private static JsonElement? Measurement(string dom)
    {
        var match = Regex.Match(dom, "<pre id=\"measure\">(.*?)</pre>", RegexOptions.Singleline);
        if (!match.Success) return null;
        using var doc = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value));
        return doc.RootElement.Clone();
    }

    private static JournalBuilder Journal(string run) => run switch
    {
        "deviated" => SampleJournals.Deviated(),
        "crashed" => SampleJournals.Crashed(),
        _ => ManyChecks(),
    };

    /// <summary>Two probes checked every 200ms for five minutes, a fault in the middle, a rollback at the end.</summary>
    private static JournalBuilder ManyChecks()
    {
        var b = new JournalBuilder().At(0).Started("many-checks");
        for (var i = 0; i < 1500; i++)
        {
            var t = 0.5 + i * 0.2;
            var during = t is > 60 and < 240;
            var latency = during ? 250 + 120 * Math.Sin(i / 9.0) + i % 7 * 6 : 40 + i % 5 * 3;
            b.At(t).Probe(t < 60 ? "before" : during ? "during" : "after", "checkout-p95", latency < 330, latency);
            b.At(t + 0.05).Probe(t < 60 ? "before" : during ? "during" : "after", "health", true, 4 + i % 4);
            if (i == 290) b.At(59).Step("start", 0, "slow-db").At(59.5).Intent(1, "slow-db", "db-a").At(60).Applied(1);
        }
        return b.At(240).Note("rollback", "rolling back 1 change(s): aborted: safety.maxDuration (4m) reached").At(240.4).Undone(1, "rollback")
            .At(300.5).Finished("aborted", 5, "aborted: safety.maxDuration (4m) reached");
    }

    private async Task<string> WriteReportAsync(JournalBuilder journal)
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var path = MarkdownReportTests.Write(cli, "run", journal);
        var page = Path.Combine(_dir, $"report-{Guid.NewGuid():N}.html");
        var result = await cli.RunAsync("report", path, "--format", "html", "--out", page);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        return page;
    }

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\"[^>]*>")]
    private static partial Regex CspMeta();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
