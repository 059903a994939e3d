using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>A fault that cannot be undone runs only where its step says <c>irreversible: allowed</c>.</summary>
public sealed class IrreversibleCheck : IGuardCheck
{
    public string Name => "irreversible";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var refused = new List<string>();
        var allowed = new List<string>();
        foreach (var s in input.Plan.Method)
        {
            if (s.Reversible || s.Step is not Profiles.FaultStep step) continue;
            if (step.IrreversibleAllowed) allowed.Add(step.Name);
            else refused.Add($"step '{step.Name}' ({step.Fault}) cannot be undone; add 'irreversible: allowed' to the step to permit it");
        }
        if (refused.Count > 0) return new GuardVerdict(Name, false, "not running: " + string.Join("; ", refused));
        return new GuardVerdict(Name, true, allowed.Count == 0 ? "every fault can be undone" : $"irreversible steps allowed by the profile: {string.Join(", ", allowed)}");
    }
}
