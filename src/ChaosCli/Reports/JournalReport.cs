using Simian.Core;
using Simian.Core.Journal;
using Simian.Core.Profiles;

namespace Simian.Cli.Reports;

/// <summary>
/// Reads a journal into a <see cref="RunReport"/>. Tolerant where a crash leaves marks (a torn last line, no
/// <c>finished</c>), strict about what is not a journal at all. Every string passes through redaction here, once.
/// </summary>
public static class JournalReport
{
    private const string JournalShape = "a journal has one JSON object per line, starting with a \"started\" event, as written by `simian run`";

    public static RunReport Read(string path)
    {
        if (Directory.Exists(path)) throw new InvalidInputException($"{path} is a directory, not a journal");
        JournalState state;
        try
        {
            // Every free-text value is redacted and cleaned once, as it is read.
            state = JournalState.Read(path, text => Clean(Redaction.Text(text)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException($"journal {path} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidInputException($"cannot read journal {path}: permission denied");
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"cannot read journal {path}: {Redaction.Text(e.Message)}");
        }
        if (state.Events.Count == 0 && state.BadLines == 0) throw new InvalidInputException($"{path} is empty: not a simian journal ({JournalShape})");
        // Every journal opens with an event: a first line that is not one means this is some other file.
        if (state.FirstLineUnreadable) throw NotAJournal(path, "its first line is not a journal event");
        if (state.Events.Count == 0) throw NotAJournal(path, "no line is a journal event");
        if (state.Start?.At is not { } start) throw NotAJournal(path, "it has no \"started\" event with a time");
        return Build(Path.GetFullPath(path), state, start);
    }

    private static InvalidInputException NotAJournal(string path, string why) =>
        new($"{path} is not a simian journal: {why} ({JournalShape})");

    private static RunReport Build(string fullPath, JournalState state, DateTimeOffset start)
    {
        var probes = new Dictionary<string, ProbeSeries>(StringComparer.Ordinal);
        var probeOrder = new List<ProbeSeries>();
        var timeline = new List<TimelineEntry>();
        var rollbacks = new List<Mark>();
        var deviations = new List<Mark>();
        var changes = state.Changes.Where(c => !c.IsHelper).ToList();
        var faults = new Dictionary<ChangeIntended, JournalChange>(ReferenceEqualityComparer.Instance);
        foreach (var c in changes) faults[c.Intent] = c;
        var bySeq = new Dictionary<int, JournalChange>();
        foreach (var e in state.Events)
        {
            var at = e.At ?? start;
            switch (e)
            {
                case RunStarted first when ReferenceEquals(first, state.Start):
                    timeline.Add(new(at, TimelineKind.Started, $"started run {first.RunId}{(first.Pid is { } pid ? $" (pid {pid})" : "")}{(first.DryRun ? ", dry run" : "")}"));
                    break;
                case RunStarted:
                    break;
                case ProbeChecked p:
                    if (!probes.TryGetValue(p.Probe, out var series))
                    {
                        series = new ProbeSeries(p.Probe);
                        probes[p.Probe] = series;
                        probeOrder.Add(series);
                    }
                    var sample = new ProbeSample(at, p.Phase, p.Ok, p.LatencyMs, p.Detail);
                    if (!sample.Ok && series.Failures == 0)
                    {
                        timeline.Add(new(at, TimelineKind.ProbeFailed, $"probe {p.Probe} first failed ({sample.Phase}): {sample.Detail}"));
                    }
                    series.Samples.Add(sample);
                    break;
                case StepMarked step:
                    var index = step.Index is { } i ? $"{i + 1} " : "";
                    var phase = step.Phase switch { "start" => "started", "end" => "ended", var other => other };
                    timeline.Add(new(at, TimelineKind.Step, $"step {index}{step.Name} {phase}"));
                    break;
                case ChangeIntended intent:
                    // The run's own helpers (services it started) are not faults; their stop is not a restore.
                    if (faults.TryGetValue(intent, out var change)) bySeq[intent.Seq] = change;
                    else bySeq.Remove(intent.Seq);
                    break;
                case ChangeApplied applied when bySeq.TryGetValue(applied.Seq, out var c):
                    timeline.Add(new(at, TimelineKind.Applied, $"{c.Step}: {c.Fault} applied to {c.ResourceId}"));
                    break;
                case ChangeApplyFailed failed when bySeq.TryGetValue(failed.Seq, out var c):
                    timeline.Add(new(at, TimelineKind.Failure, $"{c.Step}: {c.Fault} on {c.ResourceId} failed to apply: {failed.Error}"));
                    break;
                case ChangeUndone undone when bySeq.TryGetValue(undone.Seq, out var c):
                    var what = undone.Outcome == "nothing-to-undo" ? "found nothing to undo on" : "restored";
                    timeline.Add(new(at, TimelineKind.Undone, $"{c.Step}: {what} {c.ResourceId} ({ByText(undone.By)})"));
                    break;
                case ChangeUndoFailed undoFailed when bySeq.TryGetValue(undoFailed.Seq, out var c):
                    timeline.Add(new(at, TimelineKind.Failure, $"{c.Step}: could not restore {c.ResourceId}: {undoFailed.Error}"));
                    break;
                case ChangeLeft left when bySeq.TryGetValue(left.Seq, out var c):
                    timeline.Add(new(at, TimelineKind.Left, $"{c.Step}: left in place on {c.ResourceId} ({left.Reason})"));
                    break;
                case ChangeEvent:
                    break;
                case NoteEvent { Kind: JournalEventNames.Deviation } n:
                    deviations.Add(new(at, n.Message));
                    timeline.Add(new(at, TimelineKind.Deviation, $"deviation: {n.Message}"));
                    break;
                case NoteEvent { Kind: JournalEventNames.Rollback } n:
                    rollbacks.Add(new(at, n.Message));
                    timeline.Add(new(at, TimelineKind.Rollback, $"rollback: {n.Message}"));
                    break;
                case NoteEvent { Kind: JournalEventNames.WouldApply } n:
                    timeline.Add(new(at, TimelineKind.WouldApply, $"dry run, would apply: {n.Message}"));
                    break;
                case NoteEvent { Kind: JournalEventNames.Recovered } n:
                    timeline.Add(new(at, TimelineKind.Recovered, $"simian recover: {n.Message}"));
                    break;
                case RunFinished f:
                    var code = f.ExitCode is { } x ? $" (exit {x})" : "";
                    timeline.Add(new(at, TimelineKind.Finished, $"finished: {f.Status}{code}"));
                    break;
                default:
                    // Newer simian versions may write kinds this one does not know: show them rather than drop them.
                    var message = e is OtherEvent { Message: { } m } ? ": " + m : "";
                    timeline.Add(new(at, TimelineKind.Other, e.Kind + message));
                    break;
            }
        }
        // A change journaled but never confirmed is the one a crash leaves in doubt: it belongs on the timeline.
        foreach (var c in changes.Where(c => !c.Applied && c.ApplyError is null))
        {
            timeline.Add(new(c.IntentAt ?? start, TimelineKind.Failure, $"{c.Step}: {c.Fault} on {c.ResourceId} journaled, never confirmed applied"));
        }
        var last = state.Events.Select(e => e.At).Max() ?? start;
        var end = state.Finish?.At ?? last;
        if (end < start) end = start;
        var started = state.Start!;
        return new RunReport
        {
            JournalPath = fullPath,
            RunId = started.RunId,
            Experiment = started.Experiment,
            Profile = started.Profile,
            Fingerprint = started.Fingerprint,
            SimianVersion = started.SimianVersion,
            MaxLatencyMs = started.ProbeMaxLatencyMs,
            Live = state.Finish is null && JournalWriter.IsLive(fullPath),
            Pid = started.Pid,
            DryRun = started.DryRun,
            StartedAt = start,
            EndedAt = end,
            Finished = state.Finish is { } fin ? new FinishedEvent(fin.Status, fin.ExitCode, fin.Summary, fin.At ?? end) : null,
            Changes = changes,
            Probes = probeOrder,
            Timeline = timeline.OrderBy(t => t.At).ToList(),
            Rollbacks = rollbacks,
            Deviations = deviations,
            TornLastLine = state.TornLastLine,
            BadLines = state.BadLines - (state.TornLastLine ? 1 : 0),
        };
    }

    /// <summary>Who undid a change, from the journal's <c>by</c> field: "by rollback", "its duration ended", "by recover".</summary>
    private static string ByText(string by) => by switch
    {
        "duration" => "its duration ended",
        "" => "undone",
        _ => "by " + by,
    };

    /// <summary>Control characters (terminal escapes, NULs) have no place in a report and are not even valid XML.</summary>
    private static string Clean(string text)
    {
        if (!text.Any(ch => char.IsControl(ch) && ch is not '\n' and not '\t')) return text;
        var sb = new System.Text.StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (ch == '\r') continue;
            sb.Append(char.IsControl(ch) && ch is not '\n' and not '\t' ? '\uFFFD' : ch);
        }
        return sb.ToString();
    }
}
