using System.Text.Json.Nodes;
using Simian.Core.Profiles;
using Simian.Core.Running;

namespace Simian.Core.Providers;

/// <summary>
/// Optional ability of a provider: set things up for a run after it is approved (an embedded proxy, helper
/// processes the profile asks for) and tear them down when the run is over. Anything that outlives a crash (a
/// process) is journaled through <see cref="IHelperJournal"/> before it starts, so rollback and <c>recover</c>
/// stop it like any other change.
/// </summary>
public interface IProviderLifecycle
{
    /// <summary>The undo code for what <see cref="StartAsync"/> journals, by the target type name it journals under.</summary>
    IReadOnlyList<(string TargetType, IFault Fault)> HelperFaults { get; }

    /// <summary>
    /// What <see cref="StartAsync"/> would start, in words (commands included, secrets masked), for the plan: nothing
    /// from a profile runs before approval, so the approver must see it first.
    /// </summary>
    IReadOnlyList<HelperPlan> Describe(ProviderSettings settings);

    /// <summary>
    /// Starts what the run needs and returns the run's session: disposed when the run ends, and handed to this
    /// provider's target types and faults for the rest of the run as <see cref="ProviderSettings.Session"/> (and to
    /// rollback as <see cref="UndoContext.Session"/>). Per-run state lives there, never in the provider object.
    /// </summary>
    Task<IAsyncDisposable> StartAsync(ProviderSettings settings, RunHelpers run, CancellationToken cancellationToken);
}

/// <summary>One helper a run would start after approval: its name, what it runs, and a note for the plan.</summary>
public sealed record HelperPlan(string Provider, string Name, string Command, string? Note = null);

/// <summary>What a provider's start-up gets from the run: its id, progress output and the journal.</summary>
public sealed record RunHelpers(string RunId, IRunObserver Observer, IHelperJournal Journal);

/// <summary>The run's journal, as helpers use it: a record before a helper starts, a mark once it has.</summary>
public interface IHelperJournal
{
    /// <summary>Durably records a helper about to start and how to stop it; returns its sequence number.</summary>
    int Intent(string targetType, IFault fault, Resource resource, JsonObject undo, string description);

    void Applied(int seq);
}

/// <summary>A journal that records nothing, for tests that start a provider's helpers on their own.</summary>
public sealed class NoHelperJournal : IHelperJournal
{
    public static readonly NoHelperJournal Instance = new();

    private int _seq;

    public int Intent(string targetType, IFault fault, Resource resource, JsonObject undo, string description) => Interlocked.Increment(ref _seq);

    public void Applied(int seq) { }
}
