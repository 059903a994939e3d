namespace Simian.Core.Running;

public enum RunStatus
{
    Completed,
    Deviated,
    Aborted,
    Interrupted,
    RollbackFailed,
}

/// <summary>How a run ended, with what the summary and the exit code need.</summary>
public sealed record RunOutcome
{
    public required RunStatus Status { get; init; }
    public required int ExitCode { get; init; }
    public required string JournalPath { get; init; }
    public required string Reason { get; init; }
    public int Injected { get; init; }
    public int Restored { get; init; }
    public IReadOnlyList<string> LeftInPlace { get; init; } = [];
    public IReadOnlyList<string> NotRestored { get; init; } = [];
    /// <summary>Changes undone whose undo the journal could not record (a full disk): recover finds them clean.</summary>
    public IReadOnlyList<string> Unrecorded { get; init; } = [];
    public bool DryRun { get; init; }
    public IReadOnlyList<ProbeStats> Probes { get; init; } = [];
    public bool? SteadyAfter { get; init; }

    public static string StatusText(RunStatus s) => s switch
    {
        RunStatus.Completed => "completed",
        RunStatus.Deviated => "deviated",
        RunStatus.Aborted => "aborted",
        RunStatus.Interrupted => "interrupted",
        _ => "rollback-failed",
    };
}

/// <summary>Per-probe counts over the whole run.</summary>
public sealed record ProbeStats(string Probe, int Checks, int Failures, string? LastFailure);
