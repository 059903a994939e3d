using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>
/// No false green: a target that selects nothing means the run would test nothing there, so it is refused unless
/// the target says <c>optional: true</c>. A game day in CI must never pass because its selector matched nothing.
/// </summary>
public sealed class SelectionCheck : IGuardCheck
{
    public string Name => "selection";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var empty = new List<string>();
        var optional = new List<string>();
        foreach (var t in input.Plan.Targets)
        {
            if (t.Selected.Count > 0) continue;
            var spec = input.Plan.Experiment.Target(t.Name);
            if (spec?.Optional == true) optional.Add(t.Name);
            else empty.Add(t.Name);
        }
        if (empty.Count > 0)
        {
            return new GuardVerdict(Name, false, $"not running: target(s) {string.Join(", ", empty.Select(n => $"'{n}'"))} selected nothing, " +
                "so the run would test nothing there (mark a target `optional: true` if that is expected)");
        }
        return new GuardVerdict(Name, true, optional.Count == 0
            ? "every target selected something"
            : $"every required target selected something; optional target(s) {string.Join(", ", optional.Select(n => $"'{n}'"))} selected nothing");
    }
}
