using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>Caps how many resources the whole experiment may touch.</summary>
public sealed class MaxTargetsCheck : IGuardCheck
{
    public string Name => "maxTargets";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var max = input.Plan.Experiment.Safety.MaxTargets;
        var count = input.Plan.SelectedCount;
        if (max is null) return new GuardVerdict(Name, true, $"{count} selected; no limit set");
        return count <= max
            ? new GuardVerdict(Name, true, $"{count} selected ≤ {max}")
            : new GuardVerdict(Name, false, $"not running: {count} targets selected, more than maxTargets {max}");
    }
}
