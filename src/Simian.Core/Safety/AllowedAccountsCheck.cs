using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>Every cloud resource must belong to an allowed account (as the provider's identity call reports it).</summary>
public sealed class AllowedAccountsCheck : IGuardCheck
{
    public string Name => "allowedAccounts";

    public GuardVerdict Evaluate(GuardInput input) =>
        ScopeCheck.Evaluate(Name, "account", input.Plan.Experiment.Safety.AllowedAccounts, input.Plan, r => r.Account);
}
