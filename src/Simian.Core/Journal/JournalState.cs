using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Simian.Core.Journal;

/// <summary>
/// A journal read back, the one model of it: its typed events in order and every recorded change with what became
/// of it. Recover, <c>simian report</c>, JUnit output and the tests all read journals through <see cref="Read"/>.
/// The reader is tolerant where a crash leaves marks (a torn last line, no <c>finished</c>, an unreadable line) and
/// where a newer simian wrote more (unknown fields are ignored, unknown events kept as <see cref="OtherEvent"/>).
/// </summary>
public sealed class JournalState
{
    /// <summary>The journal format this version writes (the <c>journal</c> field of <c>started</c>) and reads.</summary>
    public const int FormatVersion = 1;

    public required string Path { get; init; }
    public RunStarted? Start { get; private set; }
    public string RunId => Start?.RunId ?? "";
    public string Experiment => Start?.Experiment ?? "";
    public string Fingerprint => Start?.Fingerprint ?? "";
    public int Pid => Start?.Pid ?? 0;
    public bool DryRun => Start?.DryRun ?? false;
    public DateTimeOffset? StartedAt => Start?.At;
    /// <summary>The journal format version (0 for journals written before it was recorded).</summary>
    public int Format => Start?.Format ?? 0;
    public RunFinished? Finish { get; private set; }
    public string? Status => Finish?.Status;
    public List<JournalChange> Changes { get; } = [];
    public List<JournalEvent> Events { get; } = [];
    /// <summary>Lines that could not be read as an event, a torn last line included.</summary>
    public int BadLines { get; private set; }
    /// <summary>The last line could not be read: a write torn by a crash or power loss.</summary>
    public bool TornLastLine { get; private set; }
    /// <summary>The first line was not a journal event although more lines followed: probably not a journal at all.</summary>
    public bool FirstLineUnreadable { get; private set; }

    /// <summary>Reversible changes that were (or may have been) made and are not yet undone, newest first.</summary>
    public IReadOnlyList<JournalChange> Pending =>
        Changes.Where(c => c.Reversible && !c.Undone && !c.NotApplied).OrderByDescending(c => c.Seq).ToList();

    /// <summary>Every event of one type, in journal order.</summary>
    public IEnumerable<T> All<T>() where T : JournalEvent => Events.OfType<T>();

    /// <summary>Reads a journal. I/O errors (missing file, permission) are thrown as they are.</summary>
    /// <param name="text">Applied to every free-text value read (a report passes redaction); undo records are kept as written.</param>
    public static JournalState Read(string path, Func<string, string>? text = null)
    {
        var state = new JournalState { Path = path };
        var reader = new EventReader(text ?? (s => s));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var lines = new StreamReader(stream);
        // One line behind, so that the last line is known as such: only it may be torn.
        string? held = null;
        int heldAt = 0, number = 0, seen = 0;
        while (lines.ReadLine() is { } line)
        {
            number++;
            if (line.Trim().Length == 0) continue;
            if (held is not null) state.Take(reader.Parse(held, heldAt), last: false, seen++ == 0);
            held = line;
            heldAt = number;
        }
        if (held is not null) state.Take(reader.Parse(held, heldAt), last: true, seen == 0);
        return state;
    }

    private void Take(JournalEvent? e, bool last, bool first)
    {
        if (e is null)
        {
            BadLines++;
            if (last) TornLastLine = true;
            else if (first) FirstLineUnreadable = true;
            return;
        }
        Events.Add(e);
        switch (e)
        {
            // A journal has one start; a second (a file appended to by mistake) does not replace the first.
            case RunStarted started when Start is null:
                Start = started;
                break;
            case ChangeIntended intent:
                Changes.Add(new JournalChange(intent));
                break;
            case ChangeEvent change:
                // Sequence numbers are unique within a run; should one repeat, the latest intent is the one acted on.
                Changes.LastOrDefault(c => c.Seq == change.Seq)?.Apply(change);
                break;
            case RunFinished finished:
                Finish = finished;
                break;
        }
    }

    /// <summary>Turns one line into a typed event, or null when it is not one.</summary>
    private sealed class EventReader(Func<string, string> text)
    {
        private DateTimeOffset? _last;

        /// <summary>steadyState.probes[].maxLatencyMs of a <c>started</c> line, by probe name (what is unreadable is left out).</summary>
        private static Dictionary<string, double> Thresholds(JsonObject e)
        {
            var thresholds = new Dictionary<string, double>(StringComparer.Ordinal);
            if (e["steadyState"] is not JsonObject steady || steady["probes"] is not JsonArray probes) return thresholds;
            foreach (var p in probes.OfType<JsonObject>())
            {
                if (p["name"] is JsonValue n && n.TryGetValue<string>(out var name) && p["maxLatencyMs"] is JsonValue m && m.TryGetValue<double>(out var ms) && ms > 0)
                {
                    thresholds[name] = ms;
                }
            }
            return thresholds;
        }

        public JournalEvent? Parse(string line, int number)
        {
            JsonObject? e;
            try
            {
                e = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
            if (e is null || Str(e, "event") is not { } kind) return null;
            // An event without a readable time sits where it was written: just after the one before.
            var at = DateTimeOffset.TryParse(Str(e, "at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : _last;
            if (at is { } x) _last = _last is { } l && l > x ? l : x;
            return kind switch
            {
                JournalEventNames.Started => new RunStarted
                {
                    Kind = kind, At = at, Line = number,
                    Format = Int(e, "journal") ?? 0,
                    RunId = Text(e, "runId"),
                    Experiment = Text(e, "experiment"),
                    Profile = Text(e, "profile"),
                    Fingerprint = Text(e, "fingerprint"),
                    Pid = Int(e, "pid"),
                    DryRun = Bool(e, "dryRun") ?? false,
                    SimianVersion = Text(e, "simianVersion"),
                    ProbeMaxLatencyMs = Thresholds(e),
                },
                JournalEventNames.Intent => Intent(e, kind, at, number),
                JournalEventNames.Applied => new ChangeApplied { Kind = kind, At = at, Line = number, Seq = Int(e, "seq") ?? 0 },
                JournalEventNames.ApplyFailed => new ChangeApplyFailed
                {
                    Kind = kind, At = at, Line = number, Seq = Int(e, "seq") ?? 0,
                    Error = Text(e, "error"),
                    NotApplied = Bool(e, "notApplied") ?? false,
                },
                JournalEventNames.Undone => new ChangeUndone
                {
                    Kind = kind, At = at, Line = number, Seq = Int(e, "seq") ?? 0,
                    By = Text(e, "by"),
                    Outcome = Text(e, "outcome"),
                },
                JournalEventNames.UndoFailed => new ChangeUndoFailed { Kind = kind, At = at, Line = number, Seq = Int(e, "seq") ?? 0, Error = Text(e, "error") },
                JournalEventNames.Left => new ChangeLeft { Kind = kind, At = at, Line = number, Seq = Int(e, "seq") ?? 0, Reason = Text(e, "reason") },
                JournalEventNames.Step => new StepMarked { Kind = kind, At = at, Line = number, Phase = Text(e, "phase"), Index = Int(e, "index"), Name = Text(e, "name") },
                JournalEventNames.Probe => new ProbeChecked
                {
                    Kind = kind, At = at, Line = number,
                    Phase = Text(e, "phase"),
                    Probe = Text(e, "probe"),
                    Ok = Bool(e, "ok") ?? false,
                    LatencyMs = Math.Max(0, Num(e, "latencyMs") ?? 0),
                    Detail = Text(e, "detail"),
                },
                JournalEventNames.Deviation or JournalEventNames.Rollback or JournalEventNames.WouldApply or JournalEventNames.Recovered => new NoteEvent
                {
                    Kind = kind, At = at, Line = number,
                    Message = Text(e, "message"),
                    Probe = Str(e, "probe") is null ? null : Text(e, "probe"),
                },
                JournalEventNames.Finished => new RunFinished
                {
                    Kind = kind, At = at, Line = number,
                    Status = Text(e, "status"),
                    ExitCode = Int(e, "exitCode"),
                    Summary = Text(e, "summary"),
                },
                _ => new OtherEvent { Kind = text(kind), At = at, Line = number, Message = Str(e, "message") is null ? null : Text(e, "message") },
            };
        }

        private ChangeIntended Intent(JsonObject e, string kind, DateTimeOffset? at, int number)
        {
            var resource = e["resource"] as JsonObject;
            return new ChangeIntended
            {
                Kind = kind, At = at, Line = number,
                Seq = Int(e, "seq") ?? 0,
                Step = Text(e, "step"),
                Fault = Text(e, "fault"),
                TargetType = Text(e, "targetType"),
                Target = Text(e, "target"),
                Resource = new JournaledResource(
                    resource is null ? "" : Text(resource, "id"),
                    resource is null || Str(resource, "label") is null ? null : Text(resource, "label"),
                    Strings(resource?["attributes"] as JsonObject)),
                Reversible = Bool(e, "reversible") ?? false,
                Description = Str(e, "description") is null ? null : Text(e, "description"),
                Settings = Strings(e["settings"] as JsonObject),
                Undo = (e["undo"] as JsonObject)?.DeepClone() as JsonObject ?? [],
            };
        }

        private string Text(JsonObject e, string name) => text(Str(e, name) ?? "");

        private static string? Str(JsonObject e, string name) =>
            e[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

        private static int? Int(JsonObject e, string name) =>
            e[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) ? n : null;

        private static double? Num(JsonObject e, string name) =>
            e[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var n) && double.IsFinite(n) ? n : null;

        private static bool? Bool(JsonObject e, string name) =>
            e[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

        private static Dictionary<string, string> Strings(JsonObject? o)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            if (o is null) return d;
            foreach (var (k, v) in o)
            {
                if (v is JsonValue value && value.GetValueKind() == JsonValueKind.String) d[k] = value.GetValue<string>();
            }
            return d;
        }
    }
}

/// <summary>One journaled change and everything later recorded about it.</summary>
public sealed class JournalChange(ChangeIntended intent)
{
    public ChangeIntended Intent { get; } = intent;
    public int Seq => Intent.Seq;
    public string Step => Intent.Step;
    public string Fault => Intent.Fault;
    public string TargetType => Intent.TargetType;
    public string Target => Intent.Target;
    public string ResourceId => Intent.Resource.Id;
    public string? ResourceLabel => Intent.Resource.Label;
    public IReadOnlyDictionary<string, string> ResourceAttributes => Intent.Resource.Attributes;
    public bool Reversible => Intent.Reversible;
    public IReadOnlyDictionary<string, string> Settings => Intent.Settings;
    public JsonObject Undo => Intent.Undo;
    /// <summary>When the change was journaled (the time of its intent).</summary>
    public DateTimeOffset? IntentAt => Intent.At;

    /// <summary>A helper the run started (a service), not a fault: stopped by rollback and recover, not reported as a fault.</summary>
    public bool IsHelper => Step == JournalWriter.HelpersStep;

    public bool Applied { get; private set; }
    /// <summary>When it was applied; null if not, or if no event in the journal had a readable time.</summary>
    public DateTimeOffset? AppliedAt { get; private set; }
    public string? ApplyError { get; private set; }
    /// <summary>The fault reported that its apply certainly changed nothing (e.g. the OS refused a signal).</summary>
    public bool NotApplied { get; private set; }
    public bool Undone { get; private set; }
    public DateTimeOffset? UndoneAt { get; private set; }
    public string? UndoneBy { get; private set; }
    /// <summary><c>restored</c> or <c>nothing-to-undo</c>.</summary>
    public string? UndoOutcome { get; private set; }
    /// <summary>The last failed undo, kept even if a later one (say, by recover) succeeded.</summary>
    public string? UndoError { get; private set; }
    public DateTimeOffset? UndoFailedAt { get; private set; }
    /// <summary>The last error recorded for this change, from its apply or an undo.</summary>
    public string? LastError { get; private set; }
    public string? LeftReason { get; private set; }

    /// <summary>When the fault began to act: its confirmed application, else its intent (it may have been made).</summary>
    public DateTimeOffset ActiveFrom => AppliedAt ?? IntentAt ?? DateTimeOffset.MinValue;

    /// <summary>Reversible and not (yet) undone.</summary>
    public bool StillInPlace => Reversible && !Undone;

    public ChangeOutcome Outcome =>
        Undone ? (UndoOutcome == "nothing-to-undo" ? ChangeOutcome.AlreadyClean : ChangeOutcome.Restored)
        : !Reversible ? ChangeOutcome.Irreversible
        : LeftReason is not null ? ChangeOutcome.LeftInPlace
        : UndoError is not null ? ChangeOutcome.UndoFailed
        : ChangeOutcome.Pending;

    internal void Apply(ChangeEvent e)
    {
        switch (e)
        {
            case ChangeApplied:
                Applied = true;
                AppliedAt = e.At;
                break;
            case ChangeApplyFailed failed:
                ApplyError = LastError = failed.Error;
                NotApplied = failed.NotApplied;
                break;
            case ChangeUndone undone:
                Undone = true;
                UndoneAt = undone.At;
                UndoneBy = undone.By;
                UndoOutcome = undone.Outcome;
                break;
            case ChangeUndoFailed undoFailed:
                UndoError = LastError = undoFailed.Error;
                UndoFailedAt = undoFailed.At;
                break;
            case ChangeLeft left:
                LeftReason = left.Reason;
                break;
        }
    }
}

/// <summary>What became of one change.</summary>
public enum ChangeOutcome
{
    Restored,
    AlreadyClean,
    /// <summary>An undo was tried and failed, and none succeeded since.</summary>
    UndoFailed,
    /// <summary>No undo recorded at all: the run crashed or is still going.</summary>
    Pending,
    /// <summary>Left on purpose by <c>rollback: never</c> or <c>on-deviation</c>.</summary>
    LeftInPlace,
    Irreversible,
}
