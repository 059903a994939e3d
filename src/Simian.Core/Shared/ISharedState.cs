using Simian.Core.Journal;
using Simian.Core.Providers;

namespace Simian.Core.Shared;

/// <summary>
/// Team-wide state that outlives the machine a run started on (<c>--state s3://BUCKET/PREFIX</c>): target locks
/// every machine sees, a copy of every run's journal written before the change it announces, a heartbeat, and the
/// list of runs not yet finished, so that <c>simian recover</c> on any machine can put back what a dead run left.
/// Core knows only this contract; a provider implements it (<c>Simian.Aws/State/S3SharedState.cs</c>).
/// </summary>
public interface ISharedState
{
    /// <summary>Where it is, for messages: <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>
    /// Registers the run as unfinished, then takes a lock on every target, all or none, and starts renewing them with
    /// a heartbeat. A target another live run holds refuses the run (<see cref="RefusedException"/>, exit 3) naming
    /// the holder; a lock whose holder stopped renewing it is taken over only after it expired, and
    /// <paramref name="note"/> says so. Nothing has been changed when this throws.
    /// </summary>
    Task<ISharedRun> BeginRunAsync(RunIdentity run, IReadOnlyList<LockTarget> targets, Action<string> note, CancellationToken cancellationToken);

    /// <summary>Who holds each of these targets now (a live run other than <paramref name="exceptRun"/>), by target; the free ones are left out.</summary>
    Task<IReadOnlyDictionary<LockTarget, string>> HoldersAsync(IReadOnlyList<LockTarget> targets, string? exceptRun, CancellationToken cancellationToken);

    /// <summary>Runs registered and not yet finished or recovered, with their last heartbeat.</summary>
    Task<IReadOnlyList<SharedRunInfo>> UnfinishedRunsAsync(CancellationToken cancellationToken);

    /// <summary>A run's shared journal, line by line in order (each line without its newline).</summary>
    Task<IReadOnlyList<byte[]>> ReadJournalAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to recover a run, so that two watchdogs never undo it at once; null (with who holds the
    /// claim in <paramref name="note"/>) when another recover has it.
    /// </summary>
    Task<ISharedRecovery?> ClaimRecoveryAsync(string runId, RunIdentity by, Action<string> note, CancellationToken cancellationToken);
}

/// <summary>One run's part of the shared state while it runs.</summary>
public interface ISharedRun : IAsyncDisposable
{
    /// <summary>Where the run's journal lines go as well as to the local journal.</summary>
    IJournalMirror Journal { get; }

    /// <summary>Cancelled when the run can no longer prove it holds its targets (a lock taken over, renewals failing past their expiry): the run must stop and roll back.</summary>
    CancellationToken Lost { get; }

    /// <summary>Why <see cref="Lost"/> was cancelled, or null.</summary>
    string? LostReason { get; }

    /// <summary>
    /// Ends the run's part: writes what the shared journal still lacks, stops the heartbeat, and — when the run left
    /// nothing behind — releases the locks and removes it from the unfinished runs. When something was left, the
    /// locks are left to expire and the run stays listed for <c>simian recover</c>. Never throws; returns warnings.
    /// </summary>
    Task<IReadOnlyList<string>> EndAsync(bool leftNothing, CancellationToken cancellationToken);
}

/// <summary>One recover's claim on a dead run.</summary>
public interface ISharedRecovery : IAsyncDisposable
{
    /// <summary>Appends recover's own events to the run's shared journal, after those already there.</summary>
    IJournalMirror Journal { get; }

    /// <summary>Complete: the run is removed from the unfinished runs and its locks released. Either way the claim is given up.</summary>
    Task FinishAsync(bool complete, CancellationToken cancellationToken);
}

/// <summary>Who is running (or recovering): for lock holders, heartbeats and messages.</summary>
public sealed record RunIdentity(string RunId, string Experiment, string Host, string User, int Pid)
{
    public static RunIdentity Current(string runId, string experiment) =>
        new(runId, experiment, Environment.MachineName, Environment.UserName, Environment.ProcessId);

    public override string ToString() => $"run {RunId} ({User}@{Host}, pid {Pid})";
}

/// <summary>One target to lock: its type and resource (the lock is per type, scope and id).</summary>
public sealed record LockTarget(string Type, Resource Resource)
{
    /// <summary>
    /// What a plan locks in shared state: its selected cloud resources (types whose traits say they are scoped). A pid
    /// or a loopback proxy is one machine's alone, and that machine's kernel lock covers it.
    /// </summary>
    public static List<LockTarget> Of(Planning.Plan plan) =>
        plan.Targets.Where(t => t.Traits.Scoped).SelectMany(t => t.Selected.Select(r => new LockTarget(t.Type, r))).ToList();

    public override string ToString() => $"{Type} {Resource.Id}";
}

/// <summary>An unfinished run as the shared state lists it.</summary>
public sealed record SharedRunInfo(string RunId, string Experiment, string Host, string User, int Pid, DateTimeOffset? LastHeartbeat);

/// <summary>The shared state could not be read or written (unreachable, denied, malformed): fail closed.</summary>
public sealed class SharedStateException(string message, Exception? inner = null) : IOException(message, inner);
