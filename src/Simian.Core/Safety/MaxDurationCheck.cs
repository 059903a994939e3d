using Simian.Core.Planning;
using Simian.Core.Profiles;

namespace Simian.Core.Safety;

/// <summary>The method's planned length must fit in <c>safety.maxDuration</c>; the runner also aborts at it.</summary>
public sealed class MaxDurationCheck : IGuardCheck
{
    public string Name => "maxDuration";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var max = input.Plan.Experiment.Safety.MaxDuration;
        var planned = input.Plan.Experiment.MethodDuration;
        if (max is null) return new GuardVerdict(Name, true, $"method lasts at least {Duration.Format(planned)}; no limit set");
        return planned <= max
            ? new GuardVerdict(Name, true, $"method lasts {Duration.Format(planned)} ≤ {Duration.Format(max.Value)}")
            : new GuardVerdict(Name, false, $"not running: method lasts {Duration.Format(planned)}, more than maxDuration {Duration.Format(max.Value)}");
    }
}
