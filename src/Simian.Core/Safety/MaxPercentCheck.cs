using System.Globalization;
using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>Caps the share of each target group's matches that may be hit.</summary>
public sealed class MaxPercentCheck : IGuardCheck
{
    public string Name => "maxPercent";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var max = input.Plan.Experiment.Safety.MaxPercent;
        if (max is null) return new GuardVerdict(Name, true, "no limit set");
        var over = new List<string>();
        var parts = new List<string>();
        foreach (var t in input.Plan.Targets)
        {
            if (t.Selected.Count == 0) continue;
            // Measured against everything the selector matched, exclusions included: a cap on the share of a fleet.
            var percent = t.Matched == 0 ? 100.0 : 100.0 * t.Selected.Count / t.Matched;
            var text = $"{t.Name} {t.Selected.Count}/{t.Matched} = {percent.ToString("0.#", CultureInfo.InvariantCulture)}%";
            parts.Add(text);
            if (percent > max.Value + 1e-9) over.Add(text);
        }
        var limit = max.Value.ToString("0.#", CultureInfo.InvariantCulture);
        return over.Count == 0
            ? new GuardVerdict(Name, true, parts.Count == 0 ? "nothing selected" : $"{string.Join("; ", parts)} ≤ {limit}%")
            : new GuardVerdict(Name, false, $"not running: {string.Join("; ", over)} exceeds maxPercent {limit}%");
    }
}
