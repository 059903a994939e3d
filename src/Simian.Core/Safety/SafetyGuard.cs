using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>Runs every check; a check that cannot decide refuses, and says what would have happened.</summary>
public sealed class SafetyGuard(IReadOnlyList<IGuardCheck> checks)
{
    public static SafetyGuard Default() => new(
    [
        new WindowCheck(),
        new MaxTargetsCheck(),
        new MaxPercentCheck(),
        new AllowedRegionsCheck(),
        new AllowedAccountsCheck(),
        new IrreversibleCheck(),
        new MaxDurationCheck(),
        new TargetLockCheck(),
        new SelectionCheck(),
        new PreflightCheck(),
    ]);

    public IReadOnlyList<GuardVerdict> Evaluate(GuardInput input)
    {
        var verdicts = new List<GuardVerdict>(checks.Count);
        foreach (var check in checks)
        {
            try
            {
                verdicts.Add(check.Evaluate(input));
            }
            catch (Exception e)
            {
                verdicts.Add(new GuardVerdict(check.Name, false,
                    $"not running: the check could not decide ({e.GetType().Name}: {e.Message}); {input.Plan.SelectedCount} target(s) would have been hit"));
            }
        }
        return verdicts;
    }
}
