using Simian.Core.Journal;

namespace Simian.Cli.Reports;

/// <summary>One run as a report sees it: read from its journal alone, every free-text value already redacted.</summary>
public sealed class RunReport
{
    public required string JournalPath { get; init; }
    public required string RunId { get; init; }
    public required string Experiment { get; init; }
    public required string Profile { get; init; }
    public required string Fingerprint { get; init; }
    /// <summary>Each HTTP probe's maxLatency (ms), by name: the line its checks had to stay under.</summary>
    public IReadOnlyDictionary<string, double> MaxLatencyMs { get; init; } = new Dictionary<string, double>();

    /// <summary>The simian that wrote the journal; empty when the journal does not say.</summary>
    public string SimianVersion { get; init; } = "";

    /// <summary>Which simian wrote the journal and which made the report, in words.</summary>
    public static string Versions(RunReport r) =>
        r.SimianVersion.Length == 0 ? $"journal does not say; report by {Simian.Core.SimianVersion.Text}"
        : r.SimianVersion == Simian.Core.SimianVersion.Text ? r.SimianVersion
        : $"journal by {r.SimianVersion}; report by {Simian.Core.SimianVersion.Text}";
    public int? Pid { get; init; }
    public bool DryRun { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>When the run finished, or its last recorded event if it never did.</summary>
    public required DateTimeOffset EndedAt { get; init; }
    /// <summary>Null for a run that never wrote <c>finished</c> (crashed, killed, or still going).</summary>
    public FinishedEvent? Finished { get; init; }
    public required IReadOnlyList<JournalChange> Changes { get; init; }
    public required IReadOnlyList<ProbeSeries> Probes { get; init; }
    public required IReadOnlyList<TimelineEntry> Timeline { get; init; }
    public required IReadOnlyList<Mark> Rollbacks { get; init; }
    public required IReadOnlyList<Mark> Deviations { get; init; }
    /// <summary>The last line could not be parsed: a write torn by a crash or power loss.</summary>
    public bool TornLastLine { get; init; }
    /// <summary>Unparseable lines other than a torn last one.</summary>
    public int BadLines { get; init; }

    public TimeSpan Duration => EndedAt - StartedAt;

    /// <summary>"deviated", "completed", ... or "unfinished".</summary>
    public string Status => Finished?.Status ?? (Live ? "in progress" : "unfinished");

    /// <summary>Reversible changes with no recorded undo: what <c>simian recover</c> would act on.</summary>
    public IReadOnlyList<JournalChange> Pending => Changes.Where(c => c.StillInPlace).ToList();

    /// <summary>Was <c>simian recover</c> run on this journal (it appends a <c>recovered</c> note)?</summary>
    public bool Recovered => Timeline.Any(t => t.Kind == TimelineKind.Recovered);

    /// <summary>The run (or a recover of it) is still writing the journal: the report shows it so far.</summary>
    public bool Live { get; init; }
}

/// <summary>The <c>finished</c> event: final status, exit code and the one-line verdict.</summary>
public sealed record FinishedEvent(string Status, int? ExitCode, string Summary, DateTimeOffset At);

/// <summary>A moment with its message, such as a rollback or a deviation.</summary>
public sealed record Mark(DateTimeOffset At, string Message);

/// <summary>One check of a steady-state probe.</summary>
public sealed record ProbeSample(DateTimeOffset At, string Phase, bool Ok, double LatencyMs, string Detail);

/// <summary>Every check of one probe, in journal order, with the figures a report shows.</summary>
public sealed class ProbeSeries(string name)
{
    public string Name { get; } = name;
    public List<ProbeSample> Samples { get; } = [];
    public int Checks => Samples.Count;
    public int Failures => Samples.Count(s => !s.Ok);
    public double MinMs => Samples.Min(s => s.LatencyMs);
    public double MaxMs => Samples.Max(s => s.LatencyMs);

    public double MedianMs
    {
        get
        {
            var sorted = Samples.Select(s => s.LatencyMs).Order().ToList();
            var mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public ProbeSample? FirstFailure => Samples.FirstOrDefault(s => !s.Ok);
    public ProbeSample? LastFailure => Samples.LastOrDefault(s => !s.Ok);
}

public enum TimelineKind
{
    Started,
    Step,
    Applied,
    Failure,
    Undone,
    Left,
    ProbeFailed,
    Deviation,
    Rollback,
    WouldApply,
    Recovered,
    Finished,
    Other,
}

/// <summary>A notable event for the timeline list; the text is plain (writers escape it).</summary>
public sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string Text)
{
    /// <summary>Worth drawing the reader's eye to.</summary>
    public bool Important => Kind is TimelineKind.Failure or TimelineKind.Deviation or TimelineKind.Rollback or TimelineKind.Finished;
}
