using System.Globalization;
using System.Text;
using static Simian.Cli.Reports.HtmlReport;
using static Simian.Cli.Reports.ReportText;

namespace Simian.Cli.Reports;

/// <summary>
/// The run as an inline SVG picture: seconds from the start on x, probe latency on y, faults in effect shaded and
/// named by their step, failed checks as red crosses, each probe's maxLatency as a dashed line in its colour, the
/// deviation (a diamond at the foot of its line) and the rollback (a triangle at the head of its line) told apart even
/// when milliseconds apart. The time axis has a margin at both ends, so the checks before and after sit inside the
/// plot, not on its edges. Sized by its viewBox, so it scales with the page.
/// </summary>
public static class TimelineChart
{
    private const double Width = 960, Height = 360;
    private const double Left = 68, Right = 20, Top = 30, Bottom = 46;
    private const double PlotW = Width - Left - Right, PlotH = Height - Top - Bottom;
    /// <summary>Above this many checks in one series, dots and per-point tooltips give way to the line alone.</summary>
    private const int MaxDots = 400;
    private const int SeriesColours = 6;

    public static string SeriesClass(int index) => "s" + (index % SeriesColours).ToString(CultureInfo.InvariantCulture);

    public static void Write(StringBuilder h, RunReport r)
    {
        var spanS = Math.Max(r.Duration.TotalSeconds, 0.001);
        // A run shorter than a tick still gets a readable axis.
        var xMax = Math.Max(spanS, 1.0);
        var samples = r.Probes.SelectMany(p => p.Samples).ToList();
        var thresholds = r.Probes.Select((p, i) => (Probe: p.Name, Index: i, Ms: r.MaxLatencyMs.TryGetValue(p.Name, out var ms) ? ms : 0)).Where(t => t.Ms > 0).ToList();
        var maxMs = Math.Max(samples.Count > 0 ? samples.Max(s => s.LatencyMs) : 0, thresholds.Count > 0 ? thresholds.Max(t => t.Ms) : 0);
        var yStep = NiceStep(Math.Max(maxMs, 1) * 1.08 / 5);
        var yMax = Math.Ceiling(Math.Max(maxMs, 1) * 1.08 / yStep) * yStep;

        // A margin of 2% at each end: the first check before and the last after land inside the plot.
        var pad = xMax * 0.02;
        double XS(double s) => Left + (Math.Clamp(s, -pad, xMax + pad) + pad) / (xMax + 2 * pad) * PlotW;
        double X(DateTimeOffset at) => XS((at - r.StartedAt).TotalSeconds);
        double Y(double ms) => Top + PlotH - Math.Clamp(ms / yMax, 0, 1) * PlotH;

        var label = $"Timeline of {r.Experiment}: {r.Probes.Count} probe(s), {samples.Count} check(s), {r.Changes.Count} change(s), {r.Rollbacks.Count} rollback(s) over {Span(r.Duration)}";
        h.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" viewBox=\"0 0 ").Append(N(Width)).Append(' ').Append(N(Height))
            .Append("\" width=\"").Append(N(Width)).Append("\" height=\"").Append(N(Height))
            .Append("\" role=\"img\" aria-labelledby=\"timeline-title\" preserveAspectRatio=\"xMidYMid meet\">\n");
        h.Append("<title id=\"timeline-title\">").Append(E(label)).Append("</title>\n");
        h.Append("<defs><pattern id=\"open-fault\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><path d=\"M0 0V8\" /></pattern>")
            .Append("<clipPath id=\"plot-area\"><rect x=\"").Append(N(Left)).Append("\" y=\"").Append(N(Top - 2)).Append("\" width=\"").Append(N(PlotW))
            .Append("\" height=\"").Append(N(PlotH + 4)).Append("\" /></clipPath></defs>\n");

        // Grid and y axis labels.
        for (var v = 0.0; v <= yMax + yStep / 1000; v += yStep)
        {
            var y = Y(v);
            h.Append("<line class=\"grid\" x1=\"").Append(N(Left)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(N(Left + PlotW)).Append("\" y2=\"").Append(N(y)).Append("\" />");
            h.Append("<text x=\"").Append(N(Left - 8)).Append("\" y=\"").Append(N(y + 4)).Append("\" text-anchor=\"end\">").Append(E(Number(v))).Append("</text>\n");
        }
        var xStep = NiceStep(xMax / 8);
        for (var s = 0.0; s <= xMax + xStep / 1000; s += xStep)
        {
            var x = XS(s);
            h.Append("<line class=\"grid\" x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(Top)).Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(N(Top + PlotH)).Append("\" />");
            h.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(N(Top + PlotH + 16)).Append("\" text-anchor=\"middle\">").Append(E(Number(s) + "s")).Append("</text>\n");
        }
        h.Append("<text x=\"").Append(N(Left + PlotW / 2)).Append("\" y=\"").Append(N(Height - 6)).Append("\" text-anchor=\"middle\">seconds from start</text>\n");
        h.Append("<text x=\"14\" y=\"").Append(N(Top + PlotH / 2)).Append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ").Append(N(Top + PlotH / 2)).Append(")\">latency (ms)</text>\n");

        // Faults in effect: from when each was made (or journaled, if never confirmed) until undone, else to the end.
        var labelled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in r.Changes)
        {
            var from = X(c.ActiveFrom);
            var until = c.UndoneAt is { } undone ? X(undone) : Left + PlotW;
            var open = c.UndoneAt is null;
            var tip = $"{Describe(c)}: from {Offset(r, c.ActiveFrom)} " + (open ? $"to the end, {Undone(r, c)}" : $"to {Offset(r, c.UndoneAt!.Value)}, {Undone(r, c)}");
            h.Append("<rect class=\"fault-window").Append(open ? " open" : "").Append("\" x=\"").Append(N(from)).Append("\" y=\"").Append(N(Top))
                .Append("\" width=\"").Append(N(Math.Max(until - from, 1.5))).Append("\" height=\"").Append(N(PlotH)).Append("\"><title>")
                .Append(E(tip)).Append("</title></rect>\n");
            // Every step's first window is named; a narrow one's name runs on over the plot (clipped at its edge).
            if (labelled.Add(c.Step))
            {
                h.Append("<text class=\"fault-label\" x=\"").Append(N(from + 4)).Append("\" y=\"").Append(N(Top + 14)).Append("\" clip-path=\"url(#plot-area)\">")
                    .Append(E(c.Step + (open ? " (never undone)" : ""))).Append("</text>\n");
            }
        }

        h.Append("<line class=\"axis\" x1=\"").Append(N(Left)).Append("\" y1=\"").Append(N(Top + PlotH)).Append("\" x2=\"").Append(N(Left + PlotW)).Append("\" y2=\"").Append(N(Top + PlotH)).Append("\" />");
        h.Append("<line class=\"axis\" x1=\"").Append(N(Left)).Append("\" y1=\"").Append(N(Top)).Append("\" x2=\"").Append(N(Left)).Append("\" y2=\"").Append(N(Top + PlotH)).Append("\" />\n");

        foreach (var (probe, index, ms) in thresholds)
        {
            var y = Y(ms);
            h.Append("<g class=\"threshold ").Append(SeriesClass(index)).Append("\" data-probe=\"").Append(E(probe)).Append("\"><title>")
                .Append(E($"{probe}: maxLatency {Ms(ms)}")).Append("</title><line x1=\"").Append(N(Left)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"")
                .Append(N(Left + PlotW)).Append("\" y2=\"").Append(N(y)).Append("\" /><text x=\"").Append(N(Left + 6)).Append("\" y=\"").Append(N(y - 5))
                .Append("\" text-anchor=\"start\">").Append(E($"{probe} ≤ {Ms(ms)}")).Append("</text></g>\n");
        }

        // Deviation and rollback often come milliseconds apart: different heads, at opposite ends, labels on opposite sides.
        var rollbackXs = r.Rollbacks.Select(rb => X(rb.At)).ToList();
        foreach (var d in r.Deviations)
        {
            var x = X(d.At);
            var crowded = rollbackXs.Any(rx => Math.Abs(rx - x) < 60);
            VerticalMark(h, "deviation-mark", x, "deviation", $"deviation at {Offset(r, d.At)}: {d.Message}", labelAbove: false,
                head: $"M{N(x)} {N(Top + PlotH - 12)}L{N(x + 6)} {N(Top + PlotH - 6)}L{N(x)} {N(Top + PlotH)}L{N(x - 6)} {N(Top + PlotH - 6)}Z", labelLeft: crowded);
        }
        foreach (var rb in r.Rollbacks)
        {
            var x = X(rb.At);
            VerticalMark(h, "rollback-mark", x, "rollback", $"rollback at {Offset(r, rb.At)}: {rb.Message}", labelAbove: true,
                head: $"M{N(x - 6)} {N(Top)}L{N(x + 6)} {N(Top)}L{N(x)} {N(Top + 9)}Z", labelLeft: false);
        }

        for (var i = 0; i < r.Probes.Count; i++) Series(h, r, r.Probes[i], SeriesClass(i), X, Y);

        if (samples.Count == 0)
        {
            h.Append("<text class=\"empty\" x=\"").Append(N(Left + PlotW / 2)).Append("\" y=\"").Append(N(Top + PlotH / 2)).Append("\" text-anchor=\"middle\">no probe checks recorded</text>\n");
        }
        h.Append("</svg>\n");
    }

    private static void Series(StringBuilder h, RunReport r, ProbeSeries p, string cls, Func<DateTimeOffset, double> x, Func<double, double> y)
    {
        h.Append("<g class=\"probe-series ").Append(cls).Append("\" data-probe=\"").Append(E(p.Name)).Append("\"><title>")
            .Append(E($"probe {p.Name}: {p.Checks} check(s), {p.Failures} failed")).Append("</title>\n");
        // One line per phase: the checks before, during and after the faults are not one continuous curve.
        for (var start = 0; start < p.Samples.Count;)
        {
            var end = start;
            while (end + 1 < p.Samples.Count && p.Samples[end + 1].Phase == p.Samples[start].Phase) end++;
            if (end > start)
            {
                h.Append("<polyline points=\"");
                for (var i = start; i <= end; i++) h.Append(N(x(p.Samples[i].At))).Append(',').Append(N(y(p.Samples[i].LatencyMs))).Append(' ');
                h.Length--;
                h.Append("\" />\n");
            }
            start = end + 1;
        }
        var detailed = p.Samples.Count <= MaxDots;
        if (detailed)
        {
            foreach (var s in p.Samples)
            {
                var tip = $"{p.Name} {Offset(r, s.At)} ({s.Phase}): {(s.Ok ? "ok" : "FAILED")}, {Ms(s.LatencyMs)}: {s.Detail}";
                if (s.Ok)
                {
                    h.Append("<circle cx=\"").Append(N(x(s.At))).Append("\" cy=\"").Append(N(y(s.LatencyMs))).Append("\" r=\"3\"><title>").Append(E(tip)).Append("</title></circle>\n");
                }
                else
                {
                    h.Append("<path class=\"fail-mark\" d=\"").Append(Cross(x(s.At), y(s.LatencyMs))).Append("\"><title>").Append(E(tip)).Append("</title></path>\n");
                }
            }
        }
        else
        {
            // Hundreds of failures would be hundreds of elements: one path draws every cross.
            var crosses = new StringBuilder();
            foreach (var s in p.Samples.Where(s => !s.Ok)) crosses.Append(Cross(x(s.At), y(s.LatencyMs)));
            if (crosses.Length > 0) h.Append("<path class=\"fail-mark\" d=\"").Append(crosses).Append("\" />\n");
        }
        h.Append("</g>\n");
    }

    private static void VerticalMark(StringBuilder h, string cls, double x, string text, string tip, bool labelAbove, string head, bool labelLeft)
    {
        h.Append("<g class=\"").Append(cls).Append("\"><title>").Append(E(tip)).Append("</title>")
            .Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(Top)).Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(N(Top + PlotH)).Append("\" />")
            .Append("<path class=\"mark-head\" d=\"").Append(head).Append("\" />");
        // Near the right edge (or beside another mark) the label goes to the left of its line.
        var anchorEnd = labelLeft || x > Left + PlotW - 70;
        var ty = labelAbove ? Top - 8 : Top + PlotH - 6;
        h.Append("<text x=\"").Append(N(anchorEnd ? x - 4 : x + 4)).Append("\" y=\"").Append(N(ty)).Append("\" text-anchor=\"")
            .Append(anchorEnd ? "end" : "start").Append("\">").Append(E(text)).Append("</text></g>\n");
    }

    private static string Cross(double x, double y) =>
        $"M{N(x - 4.5)} {N(y - 4.5)}L{N(x + 4.5)} {N(y + 4.5)}M{N(x - 4.5)} {N(y + 4.5)}L{N(x + 4.5)} {N(y - 4.5)}";

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var f = rough / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
