using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>No selected resource may be held by another run in progress.</summary>
public sealed class TargetLockCheck : IGuardCheck
{
    public string Name => "targetLocks";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var held = new List<string>();
        foreach (var t in input.Plan.Targets)
        {
            foreach (var r in t.Selected)
            {
                if (input.Locks.HeldByOther(t.Type, r) is { } holder) held.Add($"{t.Type} {r.Id} ({holder})");
            }
        }
        return held.Count == 0
            ? new GuardVerdict(Name, true, "no selected target is held by another run")
            : new GuardVerdict(Name, false, $"not running: held by another run in progress: {string.Join(", ", held)}");
    }
}
