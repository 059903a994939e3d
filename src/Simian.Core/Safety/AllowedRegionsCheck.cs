using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>Every cloud resource must be in an allowed region; a resource whose region is unknown refuses.</summary>
public sealed class AllowedRegionsCheck : IGuardCheck
{
    public string Name => "allowedRegions";

    public GuardVerdict Evaluate(GuardInput input) =>
        ScopeCheck.Evaluate(Name, "region", input.Plan.Experiment.Safety.AllowedRegions, input.Plan, r => r.Region);
}
