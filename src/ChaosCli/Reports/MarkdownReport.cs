using System.Text;
using static Simian.Cli.Reports.ReportText;

namespace Simian.Cli.Reports;

/// <summary>The report as Markdown, to paste into a ticket: facts, verdict, changes, probes, timeline, what to do.</summary>
public static class MarkdownReport
{
    public static string Write(RunReport r, DateTimeOffset generatedAt)
    {
        var md = new StringBuilder();
        md.Append("# Simian report: ").Append(Esc(r.Experiment)).Append(" — ").Append(StatusWord(r)).Append('\n').Append('\n');

        md.Append("- **Run:** ").Append(Code(r.RunId)).Append('\n');
        md.Append("- **Experiment:** ").Append(Code(r.Experiment));
        if (r.Profile.Length > 0) md.Append(" (profile ").Append(Code(r.Profile)).Append(')');
        md.Append('\n');
        md.Append("- **Fingerprint:** ").Append(Code(r.Fingerprint)).Append('\n');
        md.Append("- **Simian:** ").Append(Esc(RunReport.Versions(r))).Append('\n');
        md.Append("- **Started:** ").Append(Clock(r.StartedAt)).Append('\n');
        md.Append(r.Finished is null
            ? $"- **Ended:** not recorded (last event {Clock(r.EndedAt)})\n"
            : $"- **Ended:** {Clock(r.EndedAt)}\n");
        md.Append("- **Duration:** ").Append(Span(r.Duration)).Append(r.Finished is null ? " (to the last event)" : "").Append('\n');
        if (r.Finished?.ExitCode is { } code) md.Append("- **Exit code:** ").Append(code).Append('\n');
        md.Append("- **Journal:** ").Append(Code(r.JournalPath)).Append('\n').Append('\n');

        md.Append("**Verdict:** ").Append(Esc(Verdict(r))).Append('\n');
        foreach (var note in JournalNotes(r)) md.Append('\n').Append("> ").Append(Esc(note)).Append('\n');
        if (r.Finished is null && r.Pending.Count > 0)
        {
            md.Append('\n').Append("Pending changes (made or maybe made, never undone):").Append('\n').Append('\n');
            foreach (var c in r.Pending) md.Append("- ").Append(Esc(Describe(c))).Append('\n');
        }

        md.Append('\n').Append("## Changes").Append('\n').Append('\n');
        if (r.Changes.Count == 0)
        {
            md.Append(r.DryRun ? "None: this was a dry run." : "None recorded.").Append('\n');
        }
        else
        {
            md.Append("| # | Step | Fault | Target | Resource | Applied | Undone |").Append('\n');
            md.Append("| ---: | --- | --- | --- | --- | --- | --- |").Append('\n');
            foreach (var c in r.Changes)
            {
                var undone = Esc(Undone(r, c));
                if (IsBad(c.Outcome)) undone = "**" + undone + "**";
                Row(md, c.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), Code(c.Step), Code(c.Fault), Code(c.Target) + (c.TargetType.Length > 0 ? " (" + Code(c.TargetType) + ")" : ""),
                    Code(c.ResourceId) + (c.ResourceLabel is { Length: > 0 } l && l != c.ResourceId ? " (" + Code(l) + ")" : ""),
                    Esc(Applied(r, c)), undone);
            }
        }

        md.Append('\n').Append("## Probes").Append('\n').Append('\n');
        if (r.Probes.Count == 0)
        {
            md.Append("No probe checks recorded.").Append('\n');
        }
        else
        {
            md.Append("| Probe | Limit | Checks | Failures | Min | Median | Max | First failure | Last failure |").Append('\n');
            md.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |").Append('\n');
            foreach (var p in r.Probes)
            {
                Row(md, Code(p.Name), r.MaxLatencyMs.TryGetValue(p.Name, out var limit) ? Ms(limit) : "—", p.Checks.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Failures.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Ms(p.MinMs), Ms(p.MedianMs), Ms(p.MaxMs), Esc(FailureAt(r, p.FirstFailure)), Esc(FailureAt(r, p.LastFailure)));
            }
        }

        // What the chart shows, as text: when each fault was in effect, and when the deviation and rollback came.
        if (r.Changes.Count > 0 || r.Deviations.Count > 0 || r.Rollbacks.Count > 0)
        {
            md.Append('\n').Append("## On the chart").Append('\n').Append('\n');
            foreach (var c in r.Changes)
            {
                md.Append("- fault window **").Append(Esc(c.Step)).Append("** (").Append(Esc(Describe(c))).Append("): ").Append(Offset(r, c.ActiveFrom))
                    .Append(c.UndoneAt is { } undone ? " to " + Offset(r, undone) : " to the end (never undone)").Append('\n');
            }
            foreach (var d in r.Deviations) md.Append("- deviation called at ").Append(Offset(r, d.At)).Append('\n');
            foreach (var rb in r.Rollbacks) md.Append("- rollback started at ").Append(Offset(r, rb.At)).Append('\n');
        }

        md.Append('\n').Append("## Timeline").Append('\n').Append('\n');
        foreach (var t in r.Timeline)
        {
            var text = Esc(t.Text);
            md.Append("- ").Append(Offset(r, t.At)).Append(" — ").Append(t.Important ? "**" + text + "**" : text).Append('\n');
        }
        if (r.Finished is null) md.Append("- ").Append(Offset(r, r.EndedAt)).Append(" — **journal ends here: the run never finished**").Append('\n');

        if (r.Pending.Count > 0)
        {
            md.Append('\n').Append("## What to do").Append('\n').Append('\n');
            md.Append(r.Pending.Count).Append(" change(s) may still be in place: ")
                .Append(string.Join("; ", r.Pending.Select(c => Esc(Describe(c))))).Append(". Undo them with:").Append('\n').Append('\n');
            md.Append("```sh").Append('\n').Append(RecoverCommand(r).Replace('\n', ' ')).Append('\n').Append("```").Append('\n');
        }

        md.Append('\n').Append("_Generated by `simian report` at ").Append(Clock(generatedAt)).Append("._").Append('\n');
        return md.ToString();
    }

    private static void Row(StringBuilder md, params string[] cells)
    {
        md.Append('|');
        // In a table a pipe ends the cell, even inside a code span, unless it is escaped.
        foreach (var cell in cells) md.Append(' ').Append(cell.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |");
        md.Append('\n');
    }

    /// <summary>
    /// Free text on one line with Markdown punctuation escaped, except that `paired backticks` (as in
    /// "run `simian recover`") stay code spans, whose content Markdown shows literally anyway.
    /// </summary>
    public static string Esc(string text)
    {
        var parts = OneLine(text).Split('`');
        var keepCode = parts.Length % 2 == 1;
        var sb = new StringBuilder(text.Length + 8);
        for (var i = 0; i < parts.Length; i++)
        {
            if (keepCode && i % 2 == 1) { sb.Append(Code(parts[i])); continue; }
            if (i > 0 && !keepCode) sb.Append("\\`");
            foreach (var ch in parts[i])
            {
                if (ch is '\\' or '*' or '_' or '[' or ']' or '<' or '>' or '&' or '~') sb.Append('\\');
                sb.Append(ch);
            }
        }
        return sb.ToString();
    }

    /// <summary>An identifier as a code span, which shows it literally; longer fences when it holds backticks.</summary>
    public static string Code(string text)
    {
        text = OneLine(text);
        if (text.Length == 0) return "—";
        var longest = 0;
        for (int i = 0, run = 0; i < text.Length; i++)
        {
            run = text[i] == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', longest + 1);
        var pad = longest > 0 || text.StartsWith('`') || text.EndsWith('`') ? " " : "";
        return fence + pad + text + pad + fence;
    }

    private static string OneLine(string text) => text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
