using System.Globalization;
using Simian.Core.Journal;

namespace Simian.Cli.Reports;

/// <summary>The wording and number formats both report formats share, so Markdown and HTML say the same thing.</summary>
public static class ReportText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Rounded, not truncated, to the millisecond, so clock times agree with the offsets shown beside them.
    public static string Clock(DateTimeOffset at) =>
        (at.UtcTicks <= DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerMillisecond ? at.AddTicks(TimeSpan.TicksPerMillisecond / 2) : at)
            .ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", Inv);

    /// <summary>Seconds from the start of the run, as the chart's x axis counts them: "+2.870s".</summary>
    public static string Offset(RunReport report, DateTimeOffset at) =>
        "+" + Math.Max(0, (at - report.StartedAt).TotalSeconds).ToString("0.000", Inv) + "s";

    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalSeconds < 60) return span.TotalSeconds.ToString("0.000", Inv) + "s";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes}m {span.Seconds:00}s";
        return $"{(int)span.TotalHours}h {span.Minutes:00}m {span.Seconds:00}s";
    }

    public static string Ms(double ms) => ms.ToString(ms >= 100 ? "0" : "0.0", Inv) + " ms";

    public static string Number(double value) => value.ToString("0.###", Inv);

    /// <summary>The title's status word: "DEVIATED", "UNFINISHED".</summary>
    public static string StatusWord(RunReport report) => report.Status.ToUpperInvariant();

    /// <summary>The verdict line after "Verdict:": the status and the <c>finished</c> summary, or what an unfinished run needs.</summary>
    public static string Verdict(RunReport report)
    {
        if (report.Finished is { } f) return $"{f.Status} — {(f.Summary.Length > 0 ? f.Summary : "(no summary recorded)")}";
        if (report.Live) return $"in progress — the run (pid {report.Pid?.ToString(Inv) ?? "?"}) is still going; this report shows it so far";
        if (report.Pending.Count > 0) return "unfinished — run `simian recover`";
        return report.Recovered
            ? "unfinished — the run stopped without finishing; simian recover has since undone what it left behind"
            : "unfinished — the run stopped without finishing (or is still going); nothing it changed is still in place";
    }

    public static string Target(JournalChange c) => c.TargetType.Length > 0 ? $"{c.Target} ({c.TargetType})" : c.Target;

    public static string Resource(JournalChange c) =>
        c.ResourceLabel is { Length: > 0 } label && label != c.ResourceId ? $"{c.ResourceId} ({label})" : c.ResourceId;

    /// <summary>The short name of a change for lists: "slow-api (latency) on demo-api".</summary>
    public static string Describe(JournalChange c) => $"{c.Step} ({c.Fault}) on {c.ResourceId}";

    public static string Applied(RunReport report, JournalChange c) =>
        c.ApplyError is not null ? $"FAILED: {c.ApplyError}"
        : c.AppliedAt is { } at ? $"yes, {Offset(report, at)}"
        : report.Finished is null ? "unconfirmed (the run stopped before confirming; it may have been made)"
        : "unconfirmed";

    /// <summary>What became of a change; "NOT RESTORED" leads whenever it is still in place against the plan.</summary>
    public static string Undone(RunReport report, JournalChange c)
    {
        var earlier = c.UndoError is not null && c.UndoneAt is not null ? $" (after a failed undo: {c.UndoError})" : "";
        var when = c.UndoneAt is { } at ? Offset(report, at) : "";
        var how = c.UndoneBy == "duration" ? $"when its duration ended, at {when}" : $"by {(c.UndoneBy is { Length: > 0 } by ? by : "?")} at {when}";
        return c.Outcome switch
        {
            ChangeOutcome.Restored => $"restored {how}{earlier}",
            ChangeOutcome.AlreadyClean => $"nothing to undo, found {how}{earlier}",
            ChangeOutcome.UndoFailed => $"NOT RESTORED: {c.UndoError}",
            ChangeOutcome.Pending => "NOT RESTORED: no undo recorded (pending)",
            ChangeOutcome.LeftInPlace => $"left in place ({c.LeftReason})",
            _ => "irreversible: cannot be undone",
        };
    }

    public static bool IsBad(ChangeOutcome outcome) => outcome is ChangeOutcome.UndoFailed or ChangeOutcome.Pending;

    public static string FailureAt(RunReport report, ProbeSample? s) => s is null ? "—" : $"{Offset(report, s.At)} ({s.Phase}): {s.Detail}";

    /// <summary>Notes about the journal itself, such as a torn last line.</summary>
    public static IEnumerable<string> JournalNotes(RunReport report)
    {
        if (report.TornLastLine) yield return "The journal's last line was torn (an incomplete write, as a crash leaves) and was ignored.";
        if (report.BadLines > 0) yield return $"{report.BadLines} unreadable line(s) in the middle of the journal were skipped.";
        if (report.DryRun) yield return "This was a dry run: nothing was changed.";
    }

    public static string RecoverCommand(RunReport report) => $"simian recover --journal {ShellWord(report.JournalPath)}";

    /// <summary>Quotes a path for a POSIX shell only when it needs it, so the usual command stays copy-pastable and plain.</summary>
    public static string ShellWord(string word) =>
        word.Length > 0 && word.All(ch => char.IsAsciiLetterOrDigit(ch) || "_./:@%+=,-".Contains(ch))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
