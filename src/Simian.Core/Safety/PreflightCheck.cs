using Simian.Core.Planning;
using Simian.Core.Providers;

namespace Simian.Core.Safety;

/// <summary>
/// Refuses a plan when a fault's own checks refused a step: the caller may not make a change, or may not undo it
/// (a dry run said UnauthorizedOperation), or the check itself could not run. Checks that cannot be made (no dry
/// run exists) do not fail the guard; the plan lists them as "not checked".
/// </summary>
public sealed class PreflightCheck : IGuardCheck
{
    public string Name => "preflight";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var refused = new List<string>();
        int allowed = 0, notChecked = 0;
        foreach (var step in input.Plan.Method)
        {
            foreach (var note in step.Checks)
            {
                switch (note.Verdict)
                {
                    case PreflightVerdict.Refused: refused.Add($"step '{step.Step.Name}': {note.Text}"); break;
                    case PreflightVerdict.Allowed: allowed++; break;
                    case PreflightVerdict.NotChecked: notChecked++; break;
                }
            }
        }
        if (refused.Count > 0)
        {
            return new GuardVerdict(Name, false, $"not running: {string.Join("; ", refused)}");
        }
        return new GuardVerdict(Name, true, allowed + notChecked == 0
            ? "no fault asks for checks before it runs"
            : $"{allowed} permission check(s) passed by dry run; {notChecked} not checkable beforehand (listed under the method)");
    }
}
