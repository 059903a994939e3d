using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Core.Planning;

/// <summary>What a run would do: targets, faults in order, guard verdicts and the fingerprint the run must match.</summary>
public sealed record Plan
{
    public required Experiment Experiment { get; init; }
    public required string Fingerprint { get; init; }
    public required long Seed { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required IReadOnlyList<TargetPlan> Targets { get; init; }
    public required IReadOnlyList<StepPlan> Method { get; init; }
    public required IReadOnlyList<GuardVerdict> Guard { get; init; }
    /// <summary>What the run starts once approved (services a profile names): shown, never run, by the plan.</summary>
    public IReadOnlyList<HelperPlan> Helpers { get; init; } = [];

    public bool Allowed => Guard.All(g => g.Passed);

    public int SelectedCount => Targets.Sum(t => t.Selected.Count);

    public TargetPlan Target(string name) => Targets.First(t => t.Name == name);
}

public sealed record TargetPlan(
    string Name,
    string Type,
    PickSpec Pick,
    int Matched,
    IReadOnlyList<Resource> Selected,
    IReadOnlyList<Exclusion> Excluded)
{
    /// <summary>What the target type declares (scope, tags, zones); the strictest unless the type says otherwise.</summary>
    public TargetTraits Traits { get; init; } = TargetTraits.Cloud;
}

public sealed record Exclusion(string Id, string Reason);

public sealed record StepPlan(
    MethodStep Step,
    string? Fault,
    string? Target,
    bool Reversible,
    string Description,
    IReadOnlyList<string> ResourceIds)
{
    /// <summary>How the change heals itself if simian dies (see <see cref="IFault.ExpiresOnItsOwn"/>); null: only an undo puts it back.</summary>
    public string? ExpiresOnItsOwn { get; init; }

    /// <summary>What the fault checked before approval (permissions by dry run, side effects); empty where it checks nothing.</summary>
    public IReadOnlyList<PreflightNote> Checks { get; init; } = [];
}

/// <summary>One guard check's verdict; <see cref="Detail"/> says why in words.</summary>
public sealed record GuardVerdict(string Check, bool Passed, string Detail);
