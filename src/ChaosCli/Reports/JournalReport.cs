using System.Globalization;
using System.Text.Json;
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
        var builder = new Builder(Path.GetFullPath(path));
        try
        {
            // A run still in progress holds the journal open for writing: share it.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            // One line behind, so that the last line is known as such: only it may be torn.
            string? held = null;
            while (reader.ReadLine() is { } line)
            {
                if (line.Trim().Length == 0) continue;
                if (held is not null) Apply(builder, held, last: false, path);
                held = line.Trim();
            }
            if (held is null) throw new InvalidInputException($"{path} is empty: not a simian journal ({JournalShape})");
            Apply(builder, held, last: true, path);
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
        return builder.Build(path);
    }

    private static void Apply(Builder builder, string line, bool last, string path)
    {
        if (builder.TryApply(line)) return;
        // Every journal opens with an event: a first line that is not one means this is some other file.
        if (builder.Events == 0 && !last) throw NotAJournal(path, "its first line is not a journal event");
        builder.Unreadable(last);
    }

    private static InvalidInputException NotAJournal(string path, string why) =>
        new($"{path} is not a simian journal: {why} ({JournalShape})");

    private sealed class Builder(string fullPath)
    {
        private readonly List<ReportChange> _changes = [];
        private readonly Dictionary<string, ProbeSeries> _probes = new(StringComparer.Ordinal);
        private readonly List<ProbeSeries> _probeOrder = [];
        private readonly List<TimelineEntry> _timeline = [];
        private readonly List<Mark> _rollbacks = [];
        private readonly List<Mark> _deviations = [];
        private bool _started;
        private string _runId = "", _experiment = "", _profile = "", _fingerprint = "";
        private int? _pid;
        private bool _dryRun;
        private DateTimeOffset? _startedAt;
        private DateTimeOffset? _lastAt;
        private FinishedEvent? _finished;
        public int Events { get; private set; }
        private int _badLines;
        private bool _tornLast;

        public void Unreadable(bool last)
        {
            if (last) _tornLast = true; else _badLines++;
        }

        public bool TryApply(string line)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                return false;
            }
            using (doc)
            {
                var e = doc.RootElement;
                if (e.ValueKind != JsonValueKind.Object || Str(e, "event") is not { } kind) return false;
                Events++;
                // An event without a readable time sits where it was written: just after the one before.
                var at = Time(e, "at") ?? _lastAt ?? _startedAt;
                if (at is { } t) _lastAt = _lastAt is { } l && l > t ? l : t;
                Apply(kind, e, at ?? DateTimeOffset.MinValue);
                return true;
            }
        }

        private void Apply(string kind, JsonElement e, DateTimeOffset at)
        {
            switch (kind)
            {
                case "started" when !_started:
                    _started = true;
                    _runId = Text(e, "runId");
                    _experiment = Text(e, "experiment");
                    _profile = Text(e, "profile");
                    _fingerprint = Text(e, "fingerprint");
                    _pid = Int(e, "pid");
                    _dryRun = Bool(e, "dryRun") ?? false;
                    _startedAt = Time(e, "at");
                    _timeline.Add(new(at, TimelineKind.Started, $"started run {_runId}{(_pid is { } pid ? $" (pid {pid})" : "")}{(_dryRun ? ", dry run" : "")}"));
                    break;
                case "probe":
                    var name = Text(e, "probe");
                    if (!_probes.TryGetValue(name, out var series))
                    {
                        series = new ProbeSeries(name);
                        _probes[name] = series;
                        _probeOrder.Add(series);
                    }
                    var sample = new ProbeSample(at, Text(e, "phase"), Bool(e, "ok") ?? false, Math.Max(0, Num(e, "latencyMs") ?? 0), Text(e, "detail"));
                    if (!sample.Ok && series.Failures == 0)
                    {
                        _timeline.Add(new(at, TimelineKind.ProbeFailed, $"probe {name} first failed ({sample.Phase}): {sample.Detail}"));
                    }
                    series.Samples.Add(sample);
                    break;
                case "step":
                    var index = Int(e, "index") is { } i ? $"{i + 1} " : "";
                    var phase = Text(e, "phase") switch { "start" => "started", "end" => "ended", var p => p };
                    _timeline.Add(new(at, TimelineKind.Step, $"step {index}{Text(e, "name")} {phase}"));
                    break;
                case "intent" when Text(e, "step") == JournalWriter.HelpersStep:
                    // The run's own helpers (services it started) are not faults; their stop is not a restore.
                    break;
                case "intent":
                    var resource = e.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
                    _changes.Add(new ReportChange
                    {
                        Seq = Int(e, "seq") ?? 0,
                        Step = Text(e, "step"),
                        Fault = Text(e, "fault"),
                        TargetType = Text(e, "targetType"),
                        Target = Text(e, "target"),
                        ResourceId = resource.ValueKind == JsonValueKind.Object ? Text(resource, "id") : "",
                        ResourceLabel = resource.ValueKind == JsonValueKind.Object && Str(resource, "label") is not null ? Text(resource, "label") : null,
                        Reversible = Bool(e, "reversible") ?? false,
                        IntentAt = at,
                    });
                    break;
                case "applied":
                    if (Change(e) is { } applied)
                    {
                        applied.AppliedAt = at;
                        _timeline.Add(new(at, TimelineKind.Applied, $"{applied.Step}: {applied.Fault} applied to {applied.ResourceId}"));
                    }
                    break;
                case "apply-failed":
                    if (Change(e) is { } failed)
                    {
                        failed.ApplyError = Text(e, "error");
                        _timeline.Add(new(at, TimelineKind.Failure, $"{failed.Step}: {failed.Fault} on {failed.ResourceId} failed to apply: {failed.ApplyError}"));
                    }
                    break;
                case "undone":
                    if (Change(e) is { } undone)
                    {
                        undone.UndoneAt = at;
                        var by = Text(e, "by");
                        undone.UndoneBy = by;
                        undone.UndoOutcome = Text(e, "outcome");
                        var what = undone.UndoOutcome == "nothing-to-undo" ? "found nothing to undo on" : "restored";
                        _timeline.Add(new(at, TimelineKind.Undone, $"{undone.Step}: {what} {undone.ResourceId} ({ByText(by)})"));
                    }
                    break;
                case "undo-failed":
                    if (Change(e) is { } undoFailed)
                    {
                        undoFailed.UndoError = Text(e, "error");
                        undoFailed.UndoFailedAt = at;
                        _timeline.Add(new(at, TimelineKind.Failure, $"{undoFailed.Step}: could not restore {undoFailed.ResourceId}: {undoFailed.UndoError}"));
                    }
                    break;
                case "left":
                    if (Change(e) is { } left)
                    {
                        left.LeftReason = Text(e, "reason");
                        _timeline.Add(new(at, TimelineKind.Left, $"{left.Step}: left in place on {left.ResourceId} ({left.LeftReason})"));
                    }
                    break;
                case "deviation":
                    _deviations.Add(new(at, Text(e, "message")));
                    _timeline.Add(new(at, TimelineKind.Deviation, $"deviation: {Text(e, "message")}"));
                    break;
                case "rollback":
                    _rollbacks.Add(new(at, Text(e, "message")));
                    _timeline.Add(new(at, TimelineKind.Rollback, $"rollback: {Text(e, "message")}"));
                    break;
                case "would-apply":
                    _timeline.Add(new(at, TimelineKind.WouldApply, $"dry run, would apply: {Text(e, "message")}"));
                    break;
                case "recovered":
                    _timeline.Add(new(at, TimelineKind.Recovered, $"simian recover: {Text(e, "message")}"));
                    break;
                case "finished":
                    _finished = new FinishedEvent(Text(e, "status"), Int(e, "exitCode"), Text(e, "summary"), at);
                    var code = _finished.ExitCode is { } c ? $" (exit {c})" : "";
                    _timeline.Add(new(at, TimelineKind.Finished, $"finished: {_finished.Status}{code}"));
                    break;
                case "started":
                    break;
                default:
                    // Newer simian versions may write kinds this one does not know: show them rather than drop them.
                    var message = Str(e, "message") is not null ? ": " + Text(e, "message") : "";
                    _timeline.Add(new(at, TimelineKind.Other, Text(e, "event") + message));
                    break;
            }
        }

        private ReportChange? Change(JsonElement e) => Int(e, "seq") is { } seq ? _changes.LastOrDefault(c => c.Seq == seq) : null;

        public RunReport Build(string path)
        {
            if (Events == 0) throw NotAJournal(path, "no line is a journal event");
            if (!_started || _startedAt is null) throw NotAJournal(path, "it has no \"started\" event with a time");
            var start = _startedAt.Value;
            // A change journaled but never confirmed is the one a crash leaves in doubt: it belongs on the timeline.
            foreach (var c in _changes.Where(c => c.AppliedAt is null && c.ApplyError is null))
            {
                _timeline.Add(new(c.IntentAt, TimelineKind.Failure, $"{c.Step}: {c.Fault} on {c.ResourceId} journaled, never confirmed applied"));
            }
            var timeline = _timeline.OrderBy(t => t.At).ToList();
            var end = _finished?.At ?? _lastAt ?? start;
            if (end < start) end = start;
            return new RunReport
            {
                JournalPath = fullPath,
                RunId = _runId,
                Experiment = _experiment,
                Profile = _profile,
                Fingerprint = _fingerprint,
                Pid = _pid,
                DryRun = _dryRun,
                StartedAt = start,
                EndedAt = end,
                Finished = _finished,
                Changes = _changes,
                Probes = _probeOrder,
                Timeline = timeline,
                Rollbacks = _rollbacks,
                Deviations = _deviations,
                TornLastLine = _tornLast,
                BadLines = _badLines,
            };
        }
    }

    /// <summary>Who undid a change, from the journal's <c>by</c> field: "by rollback", "its duration ended", "by recover".</summary>
    private static string ByText(string by) => by switch
    {
        "duration" => "its duration ended",
        "" => "undone",
        _ => "by " + by,
    };

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Text(JsonElement e, string name) => Clean(Redaction.Text(Str(e, name) ?? ""));

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

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var n) && double.IsFinite(n) ? n : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        DateTimeOffset.TryParse(Str(e, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
}
