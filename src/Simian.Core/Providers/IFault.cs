using System.Text.Json.Nodes;
using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Core.Providers;

/// <summary>
/// One fault. The runner owns the journal, timing and rollback; a fault only captures what is needed to undo
/// it, applies itself and undoes itself. Undo must be idempotent: it may run after a crash at any point,
/// including before apply ever happened, and more than once.
/// </summary>
public interface IFault
{
    string Name { get; }

    /// <summary>One line for <c>validate</c>/<c>plan</c> help.</summary>
    string Summary { get; }

    /// <summary>False when the fault cannot be undone (termination, kill): the plan says so.</summary>
    bool Reversible { get; }

    /// <summary>
    /// How the change heals itself on the provider's side if simian dies while it holds it (a proxy toxic's TTL, a
    /// bucket deny's expiry on S3), in words for the plan; null when nothing but an undo — rollback, <c>simian
    /// recover</c> or the team's watchdog — ever puts it back.
    /// </summary>
    string? ExpiresOnItsOwn(IReadOnlyDictionary<string, string> settings) => null;

    /// <summary>True when the fault only makes sense with a <c>duration</c> on its step.</summary>
    bool RequiresDuration => false;

    /// <summary>
    /// The keys <see cref="ValidateParams"/> accepts under the step's <c>params</c>. A test holds every registered fault
    /// to it: validation accepts exactly these, and the schema and <c>docs/profile-format.md</c> document each.
    /// </summary>
    IReadOnlyList<string> ParameterKeys => [];

    void ValidateParams(YMapping parameters, DiagnosticBag diagnostics);

    /// <summary>What this fault would do to one resource, in words, for the plan.</summary>
    string Describe(YMapping parameters, TimeSpan? duration);

    /// <summary>Reads the current state needed to undo the fault later. Changes nothing.</summary>
    Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken);

    /// <summary>Makes the change. Called only after the capture is durably journaled.</summary>
    Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken);

    /// <summary>Restores what <see cref="CaptureAsync"/> recorded. Safe to call twice or without a prior apply.</summary>
    Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken);
}

/// <summary>Optional ability: a fault that must be kept alive while held (a proxy toxic with a time-to-live).</summary>
public interface IKeepAliveFault
{
    TimeSpan KeepAliveInterval(FaultContext context);

    Task KeepAliveAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken);
}

public enum UndoOutcome
{
    /// <summary>The change was reverted now.</summary>
    Restored,
    /// <summary>Nothing to do: never applied, already undone, or healed by itself (a lapsed TTL).</summary>
    NothingToUndo,
}
