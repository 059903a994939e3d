using System.Text.Json.Nodes;

namespace Simian.Core.Journal;

/// <summary>
/// The journal's event names, defined once: the writer writes them, the reader (<see cref="JournalState"/>) reads
/// them, and every report, recover and test goes through the reader.
/// </summary>
public static class JournalEventNames
{
    public const string Started = "started";
    public const string Intent = "intent";
    public const string Applied = "applied";
    public const string ApplyFailed = "apply-failed";
    public const string Undone = "undone";
    public const string UndoFailed = "undo-failed";
    public const string Left = "left";
    public const string Step = "step";
    public const string Probe = "probe";
    public const string Deviation = "deviation";
    public const string Rollback = "rollback";
    public const string WouldApply = "would-apply";
    public const string Recovered = "recovered";
    public const string Finished = "finished";
    /// <summary>Written by recover before appending to a journal whose last line was torn.</summary>
    public const string Repair = "repair";
}

/// <summary>
/// One line of a journal, typed. Fields a reader does not know (written by a newer simian) are ignored; events it does
/// not know become <see cref="OtherEvent"/>, so nothing is dropped silently.
/// </summary>
public abstract record JournalEvent
{
    /// <summary>The <c>event</c> field, e.g. <c>intent</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// The <c>at</c> field; when missing or unreadable, the latest time of the events before it (it was written just
    /// after them), or null if none had one.
    /// </summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>The line number in the journal (1-based), for messages.</summary>
    public int Line { get; init; }
}

/// <summary><c>started</c>: the run's identity. <see cref="Format"/> is the journal format version (0 before it was written).</summary>
public sealed record RunStarted : JournalEvent
{
    public int Format { get; init; }
    public string RunId { get; init; } = "";
    public string Experiment { get; init; } = "";
    public string Profile { get; init; } = "";
    public string Fingerprint { get; init; } = "";
    public int? Pid { get; init; }
    public bool DryRun { get; init; }
    /// <summary>The simian that wrote the journal (empty in journals from before it was recorded).</summary>
    public string SimianVersion { get; init; } = "";

    /// <summary>Each HTTP probe's maxLatency in milliseconds, by probe name, from the steady state the run started with.</summary>
    public IReadOnlyDictionary<string, double> ProbeMaxLatencyMs { get; init; } = new Dictionary<string, double>();
}

/// <summary>The resource a change is made to, as journaled.</summary>
public sealed record JournaledResource(string Id, string? Label, IReadOnlyDictionary<string, string> Attributes);

/// <summary><c>intent</c>: a change about to be made, with everything needed to undo it.</summary>
public sealed record ChangeIntended : JournalEvent
{
    public int Seq { get; init; }
    public string Step { get; init; } = "";
    public string Fault { get; init; } = "";
    public string TargetType { get; init; } = "";
    public string Target { get; init; } = "";
    public required JournaledResource Resource { get; init; }
    public bool Reversible { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    /// <summary>The fault's own undo record, as it was journaled (each fault reads it with its typed record).</summary>
    public required JsonObject Undo { get; init; }
}

/// <summary>An event about one journaled change: <c>applied</c>, <c>apply-failed</c>, <c>undone</c>, <c>undo-failed</c>, <c>left</c>.</summary>
public abstract record ChangeEvent : JournalEvent
{
    public int Seq { get; init; }
}

public sealed record ChangeApplied : ChangeEvent;

public sealed record ChangeApplyFailed : ChangeEvent
{
    public string Error { get; init; } = "";
    /// <summary>The fault was certain nothing changed: recover has nothing to undo.</summary>
    public bool NotApplied { get; init; }
}

public sealed record ChangeUndone : ChangeEvent
{
    /// <summary>Who undid it: <c>rollback</c>, <c>duration</c>, <c>recover</c>.</summary>
    public string By { get; init; } = "";
    /// <summary><c>restored</c> or <c>nothing-to-undo</c>.</summary>
    public string Outcome { get; init; } = "";
}

public sealed record ChangeUndoFailed : ChangeEvent
{
    public string Error { get; init; } = "";
}

public sealed record ChangeLeft : ChangeEvent
{
    public string Reason { get; init; } = "";
}

/// <summary><c>step</c>: a step started or ended.</summary>
public sealed record StepMarked : JournalEvent
{
    public string Phase { get; init; } = "";
    public int? Index { get; init; }
    public string Name { get; init; } = "";
}

/// <summary><c>probe</c>: one steady-state check.</summary>
public sealed record ProbeChecked : JournalEvent
{
    public string Phase { get; init; } = "";
    public string Probe { get; init; } = "";
    public bool Ok { get; init; }
    public double LatencyMs { get; init; }
    public string Detail { get; init; } = "";
}

/// <summary>
/// An event that carries one message: <c>deviation</c> (with the probe that deviated), <c>rollback</c>,
/// <c>would-apply</c>, <c>recovered</c>.
/// </summary>
public sealed record NoteEvent : JournalEvent
{
    public string Message { get; init; } = "";
    /// <summary>For a deviation: the probe that failed (absent in journals written before it was recorded).</summary>
    public string? Probe { get; init; }
}

/// <summary><c>finished</c>: the run's verdict.</summary>
public sealed record RunFinished : JournalEvent
{
    public string Status { get; init; } = "";
    public int? ExitCode { get; init; }
    public string Summary { get; init; } = "";
}

/// <summary>An event this version does not know (a newer simian wrote it), kept with its message if it has one.</summary>
public sealed record OtherEvent : JournalEvent
{
    public string? Message { get; init; }
}
