using System.Globalization;
using System.Net;
using System.Text;
using static Simian.Cli.Reports.ReportText;

namespace Simian.Cli.Reports;

/// <summary>
/// The report as one self-contained page: inline CSS and SVG, no scripts, fonts or images from anywhere.
/// XHTML-compatible markup (every element closed, only numeric entities) so it also parses as XML.
/// </summary>
public static class HtmlReport
{
    public static string Write(RunReport r, DateTimeOffset generatedAt)
    {
        var h = new StringBuilder();
        var title = $"Simian report: {r.Experiment} — {StatusWord(r)}";
        h.Append("<!DOCTYPE html>\n");
        h.Append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n");
        h.Append("<meta charset=\"utf-8\" />\n");
        // Nothing may load or run: the page is a record, and journal text must never become active content.
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\" />\n");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
        h.Append("<meta name=\"color-scheme\" content=\"light dark\" />\n");
        h.Append("<title>").Append(E(title)).Append("</title>\n");
        h.Append("<style>").Append(Css).Append("</style>\n");
        h.Append("</head>\n<body>\n");

        h.Append("<header>\n<h1>Simian report: ").Append(E(r.Experiment)).Append(' ')
            .Append("<span class=\"status ").Append(StatusClass(r)).Append("\">").Append(E(StatusWord(r))).Append("</span></h1>\n");
        h.Append("<dl class=\"facts\">\n");
        Fact(h, "Run", Code(r.RunId));
        Fact(h, "Experiment", Code(r.Experiment) + (r.Profile.Length > 0 ? " (profile " + Code(r.Profile) + ")" : ""));
        Fact(h, "Fingerprint", Code(r.Fingerprint));
        Fact(h, "Simian", E(RunReport.Versions(r)));
        Fact(h, "Started", E(Clock(r.StartedAt)));
        Fact(h, "Ended", r.Finished is null ? "not recorded (last event " + E(Clock(r.EndedAt)) + ")" : E(Clock(r.EndedAt)));
        Fact(h, "Duration", E(Span(r.Duration)) + (r.Finished is null ? " (to the last event)" : ""));
        if (r.Finished?.ExitCode is { } code) Fact(h, "Exit code", E(code.ToString(CultureInfo.InvariantCulture)));
        Fact(h, "Journal", Code(r.JournalPath));
        h.Append("</dl>\n");
        h.Append("<p class=\"verdict\"><strong>Verdict:</strong> ").Append(Inline(Verdict(r))).Append("</p>\n");
        foreach (var note in JournalNotes(r)) h.Append("<p class=\"note\">").Append(E(note)).Append("</p>\n");
        if (r.Finished is null && r.Pending.Count > 0)
        {
            h.Append("<p>Pending changes (made or maybe made, never undone):</p>\n<ul class=\"pending\">\n");
            foreach (var c in r.Pending) h.Append("<li>").Append(E(Describe(c))).Append("</li>\n");
            h.Append("</ul>\n");
        }
        h.Append("</header>\n");

        if (r.Pending.Count > 0)
        {
            h.Append("<section class=\"todo\" id=\"what-to-do\">\n<h2>What to do</h2>\n<p>")
                .Append(E(r.Pending.Count.ToString(CultureInfo.InvariantCulture))).Append(" change(s) may still be in place. Undo them with:</p>\n")
                .Append("<pre><code>").Append(E(RecoverCommand(r))).Append("</code></pre>\n</section>\n");
        }

        h.Append("<section id=\"chart\">\n<h2>Timeline</h2>\n<figure>\n");
        TimelineChart.Write(h, r);
        Legend(h, r);
        h.Append("<figcaption>Probe latency over seconds from the start of the run; shaded: faults in effect; dashed: rollbacks.</figcaption>\n");
        h.Append("</figure>\n</section>\n");

        h.Append("<section id=\"changes\">\n<h2>Changes</h2>\n");
        if (r.Changes.Count == 0)
        {
            h.Append("<p>").Append(r.DryRun ? "None: this was a dry run." : "None recorded.").Append("</p>\n");
        }
        else
        {
            h.Append("<table>\n<thead><tr><th class=\"num\">#</th><th>Step</th><th>Fault</th><th>Target</th><th>Resource</th><th>Applied</th><th>Undone</th></tr></thead>\n<tbody>\n");
            foreach (var c in r.Changes)
            {
                var bad = IsBad(c.Outcome);
                h.Append(bad ? "<tr class=\"bad\">" : "<tr>");
                Cell(h, E(c.Seq.ToString(CultureInfo.InvariantCulture)), "num");
                Cell(h, Code(c.Step));
                Cell(h, Code(c.Fault));
                Cell(h, Code(c.Target) + (c.TargetType.Length > 0 ? " (" + Code(c.TargetType) + ")" : ""));
                Cell(h, Code(c.ResourceId) + (c.ResourceLabel is { Length: > 0 } l && l != c.ResourceId ? "<br />" + E(l) : ""));
                Cell(h, E(Applied(r, c)), c.ApplyError is not null ? "bad" : null);
                Cell(h, bad ? "<strong>" + E(Undone(r, c)) + "</strong>" : E(Undone(r, c)), bad ? "bad" : null);
                h.Append("</tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("</section>\n");

        h.Append("<section id=\"probes\">\n<h2>Probes</h2>\n");
        if (r.Probes.Count == 0)
        {
            h.Append("<p>No probe checks recorded.</p>\n");
        }
        else
        {
            h.Append("<table class=\"probes\">\n<thead><tr><th>Probe</th><th class=\"num\">Limit</th><th class=\"num\">Checks</th><th class=\"num\">Failures</th><th class=\"num\">Min</th><th class=\"num\">Median</th><th class=\"num\">Max</th><th>First failure</th><th>Last failure</th></tr></thead>\n<tbody>\n");
            foreach (var p in r.Probes)
            {
                h.Append(p.Failures > 0 ? "<tr class=\"warn\">" : "<tr>");
                Cell(h, Code(p.Name), "name");
                Cell(h, E(r.MaxLatencyMs.TryGetValue(p.Name, out var limit) ? Ms(limit) : "—"), "num");
                Cell(h, E(p.Checks.ToString(CultureInfo.InvariantCulture)), "num");
                Cell(h, E(p.Failures.ToString(CultureInfo.InvariantCulture)), "num");
                Cell(h, E(Ms(p.MinMs)), "num");
                Cell(h, E(Ms(p.MedianMs)), "num");
                Cell(h, E(Ms(p.MaxMs)), "num");
                Cell(h, E(FailureAt(r, p.FirstFailure)));
                Cell(h, E(FailureAt(r, p.LastFailure)));
                h.Append("</tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("</section>\n");

        h.Append("<section id=\"events\">\n<h2>Events</h2>\n<ol class=\"events\">\n");
        foreach (var t in r.Timeline)
        {
            h.Append(t.Important ? "<li class=\"important\">" : "<li>")
                .Append("<span class=\"at\">").Append(E(Offset(r, t.At))).Append("</span> ").Append(Inline(t.Text)).Append("</li>\n");
        }
        if (r.Finished is null)
        {
            h.Append("<li class=\"important\"><span class=\"at\">").Append(E(Offset(r, r.EndedAt))).Append("</span> journal ends here: the run never finished</li>\n");
        }
        h.Append("</ol>\n</section>\n");

        h.Append("<footer>Generated by <code>simian report</code> at ").Append(E(Clock(generatedAt))).Append(".</footer>\n");
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>HTML-encodes a value; the only way journal text reaches the page.</summary>
    public static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Code(string text) => text.Length == 0 ? "—" : "<code>" + E(text) + "</code>";

    /// <summary>Free text with `paired backticks` shown as code, everything encoded.</summary>
    private static string Inline(string text)
    {
        var parts = text.Split('`');
        if (parts.Length % 2 == 0) return E(text);
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Length; i++) sb.Append(i % 2 == 1 ? Code(parts[i]) : E(parts[i]));
        return sb.ToString();
    }

    private static void Fact(StringBuilder h, string name, string valueHtml) =>
        h.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(valueHtml).Append("</dd>\n");

    private static void Cell(StringBuilder h, string html, string? cssClass = null) =>
        h.Append(cssClass is null ? "<td>" : $"<td class=\"{cssClass}\">").Append(html).Append("</td>");

    private static string StatusClass(RunReport r) => r.Status switch
    {
        "completed" => "good",
        "deviated" or "aborted" or "interrupted" => "warn",
        _ => "bad",
    };

    private static void Legend(StringBuilder h, RunReport r)
    {
        h.Append("<ul class=\"legend\">\n");
        for (var i = 0; i < r.Probes.Count; i++)
        {
            h.Append("<li><svg width=\"22\" height=\"10\" viewBox=\"0 0 22 10\" aria-hidden=\"true\"><line class=\"probe-line ")
                .Append(TimelineChart.SeriesClass(i)).Append("\" x1=\"1\" y1=\"5\" x2=\"21\" y2=\"5\" /></svg> probe ")
                .Append(Code(r.Probes[i].Name)).Append("</li>\n");
        }
        h.Append("<li><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\" aria-hidden=\"true\"><path class=\"fail-mark\" d=\"M2 2L10 10M2 10L10 2\" /></svg> failed check</li>\n");
        if (r.MaxLatencyMs.Count > 0)
        {
            h.Append("<li><svg width=\"22\" height=\"10\" viewBox=\"0 0 22 10\" aria-hidden=\"true\"><line class=\"probe-line s3\" stroke-dasharray=\"6 3\" x1=\"1\" y1=\"5\" x2=\"21\" y2=\"5\" /></svg> a probe's maxLatency</li>\n");
        }
        h.Append("<li><svg width=\"22\" height=\"12\" viewBox=\"0 0 22 12\" aria-hidden=\"true\"><rect class=\"fault-swatch\" x=\"0\" y=\"0\" width=\"22\" height=\"12\" /></svg> fault in effect</li>\n");
        if (r.Pending.Count > 0)
        {
            h.Append("<li><svg width=\"22\" height=\"12\" viewBox=\"0 0 22 12\" aria-hidden=\"true\"><rect class=\"fault-swatch open\" x=\"0\" y=\"0\" width=\"22\" height=\"12\" /></svg> fault never undone</li>\n");
        }
        h.Append("<li><svg width=\"12\" height=\"14\" viewBox=\"0 0 12 14\" aria-hidden=\"true\"><line class=\"rollback-line\" x1=\"6\" y1=\"0\" x2=\"6\" y2=\"14\" /></svg> rollback</li>\n");
        if (r.Deviations.Count > 0)
        {
            h.Append("<li><svg width=\"12\" height=\"14\" viewBox=\"0 0 12 14\" aria-hidden=\"true\"><line class=\"deviation-line\" x1=\"6\" y1=\"0\" x2=\"6\" y2=\"14\" /></svg> deviation called</li>\n");
        }
        h.Append("</ul>\n");
    }

    // No '<' or '&' in here: the page must stay well-formed XML.
    private const string Css = """

:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa;
  --good: #1a7f37; --warn: #9a6700; --bad: #cf222e; --fault: #fb8c00; --rollback: #8250df; --deviation: #cf222e;
  --s0: #0969da; --s1: #1b7c83; --s2: #bf3989; --s3: #6e7781; --s4: #953800; --s5: #116329; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --card: #151b23;
    --good: #3fb950; --warn: #d29922; --bad: #ff7b72; --fault: #f0883e; --rollback: #bc8cff; --deviation: #ff7b72;
    --s0: #58a6ff; --s1: #39c5cf; --s2: #f778ba; --s3: #9198a1; --s4: #ffa657; --s5: #7ee787; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1.5rem; max-width: 1200px; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .92em; }
code { background: var(--card); padding: .05em .3em; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--card); border: 1px solid var(--line); padding: .75rem; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
.status { display: inline-block; font-size: .8em; padding: .1em .6em; border-radius: 1em; color: var(--bg); vertical-align: middle; }
.status.good { background: var(--good); } .status.warn { background: var(--warn); } .status.bad { background: var(--bad); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
.verdict { font-size: 1.05rem; padding: .6rem .8rem; background: var(--card); border-left: 4px solid var(--muted); border-radius: 4px; }
.note { color: var(--muted); font-style: italic; }
.todo { border: 2px solid var(--bad); border-radius: 6px; padding: 0 1rem .5rem; margin-top: 1rem; }
.todo h2 { color: var(--bad); border: none; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--card); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.bad, tr.bad td.bad { color: var(--bad); }
tr.warn td:nth-child(3) { color: var(--warn); font-weight: 600; }
ol.events { list-style: none; padding: 0; margin: 0; }
ol.events li { padding: .15rem 0; border-bottom: 1px dashed var(--line); }
ol.events li.important { font-weight: 600; }
ol.events .at { display: inline-block; min-width: 6.5em; color: var(--muted); font-variant-numeric: tabular-nums; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: .9em; }
#timeline { display: block; width: 100%; height: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
#timeline text { fill: var(--muted); font-size: 12px; font-family: inherit; }
#timeline .axis { stroke: var(--muted); stroke-width: 1; }
#timeline .grid { stroke: var(--line); stroke-width: 1; }
#timeline .fault-window { fill: var(--fault); fill-opacity: .16; stroke: var(--fault); stroke-opacity: .5; }
#timeline .fault-window.open { fill: url(#open-fault); fill-opacity: 1; stroke-dasharray: 4 3; }
#timeline .fault-label { fill: var(--fault); font-weight: 600; }
#timeline .rollback-mark line { stroke: var(--rollback); stroke-width: 2; stroke-dasharray: 6 4; }
#timeline .rollback-mark text { fill: var(--rollback); font-weight: 600; }
#timeline .deviation-mark line { stroke: var(--deviation); stroke-width: 1.5; stroke-dasharray: 2 3; }
#timeline .deviation-mark text { fill: var(--deviation); }
#timeline .empty { font-size: 15px; }
#timeline #open-fault path { stroke: var(--fault); stroke-width: 2; stroke-opacity: .45; }
.probe-series polyline, .probe-line { fill: none; stroke-width: 1.75; stroke-linejoin: round; }
.probe-series circle { stroke: none; }
.fail-mark { stroke: var(--bad); stroke-width: 2.25; stroke-linecap: round; fill: none; }
.s0 { stroke: var(--s0); fill: var(--s0); } .s1 { stroke: var(--s1); fill: var(--s1); } .s2 { stroke: var(--s2); fill: var(--s2); }
.s3 { stroke: var(--s3); fill: var(--s3); } .s4 { stroke: var(--s4); fill: var(--s4); } .s5 { stroke: var(--s5); fill: var(--s5); }
.probe-line.s0, .probe-line.s1, .probe-line.s2, .probe-line.s3, .probe-line.s4, .probe-line.s5 { fill: none; }
.legend { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .35rem 1.25rem; color: var(--muted); }
.legend svg { vertical-align: middle; }
.fault-swatch { fill: var(--fault); fill-opacity: .25; stroke: var(--fault); }
.fault-swatch.open { stroke-dasharray: 3 2; fill-opacity: .5; }
.rollback-line { stroke: var(--rollback); stroke-width: 2; stroke-dasharray: 4 3; }
.deviation-line { stroke: var(--deviation); stroke-width: 1.5; stroke-dasharray: 2 2; }
table.probes td.name code { white-space: nowrap; overflow-wrap: normal; }
#timeline .threshold line { stroke-width: 1.5; stroke-dasharray: 10 5; fill: none; }
#timeline .threshold text { font-weight: 600; stroke: none; }
#timeline .s0 text, #timeline text.s0 { fill: var(--s0); } #timeline .s1 text { fill: var(--s1); } #timeline .s2 text { fill: var(--s2); }
#timeline .s3 text { fill: var(--s3); } #timeline .s4 text { fill: var(--s4); } #timeline .s5 text { fill: var(--s5); }
#timeline .rollback-mark path { fill: var(--rollback); stroke: none; }
#timeline .deviation-mark path { fill: var(--deviation); stroke: none; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85em; }

""";
}
