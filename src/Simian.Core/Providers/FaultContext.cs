using Simian.Core.Profiles;
using Simian.Core.Yaml;

namespace Simian.Core.Providers;

/// <summary>Everything a fault needs to act on one resource.</summary>
public sealed record FaultContext(
    string RunId,
    string StepName,
    Resource Resource,
    YMapping Parameters,
    TimeSpan? Duration,
    ProviderSettings Settings,
    TimeProvider Time);

/// <summary>What undo gets: only what the journal holds, so that <c>recover</c> can run without the profile.</summary>
public sealed record UndoContext(
    string RunId,
    string ResourceId,
    IReadOnlyDictionary<string, string> ResourceAttributes,
    System.Text.Json.Nodes.JsonObject Undo,
    IReadOnlyDictionary<string, string> Settings,
    TimeProvider Time)
{
    /// <summary>Says something worth knowing about this undo to whoever runs it (rollback's or recover's output); may be null.</summary>
    public Action<string>? Note { get; init; }

    /// <summary>
    /// The undo context for one journaled change, from the journal alone: rollback and <c>recover</c> both build it
    /// here, so every run exercises the path a recover after a crash depends on.
    /// </summary>
    public static UndoContext FromJournal(Journal.JournalChange change, string runId, TimeProvider time) =>
        new(runId, change.ResourceId, change.ResourceAttributes, change.Undo, change.Settings, time);

    /// <summary>The provider's per-run state (see <see cref="Profiles.ProviderSettings.Session"/>) during a run's rollback; null in recover.</summary>
    public object? Session { get; init; }
}
