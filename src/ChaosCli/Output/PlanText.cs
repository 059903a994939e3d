using System.Text;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Cli.Output;

/// <summary>The plan for people: what would be hit, how many of how many, what the guard says, what cannot be undone.</summary>
public static class PlanText
{
    public static string Write(Plan plan)
    {
        var e = plan.Experiment;
        var s = new StringBuilder();
        s.AppendLine($"Plan for experiment '{e.Name}' ({e.SourcePath})");
        if (e.Metadata.Description is { } d) s.AppendLine($"  {d}");
        s.AppendLine($"  fingerprint {plan.Fingerprint}");
        // The seed matters only where something is picked at random: a target's pick, or a parameter's value.
        if (plan.Targets.Any(t => !t.Pick.IsAll) || e.Parameters.Any(p => p.Source == "picked"))
        {
            s.AppendLine($"  seed {plan.Seed} (pass --seed {plan.Seed} or --plan to reproduce this selection)");
        }
        foreach (var p in e.Parameters)
        {
            var how = p.Source switch
            {
                "picked" => $"picked with the seed from {string.Join(", ", p.Choices)}; --param {p.Name}=... to choose",
                "given" => "given with --param",
                _ => "the default",
            };
            s.AppendLine($"  parameter {p.Name} = {p.Value} ({how})");
        }
        s.AppendLine();
        s.AppendLine("Targets");
        foreach (var t in plan.Targets)
        {
            s.AppendLine($"  {t.Name} ({t.Type}), pick {t.Pick}: {t.Selected.Count} selected of {t.Matched} matched");
            foreach (var r in t.Selected.Take(50))
            {
                s.AppendLine($"    + {r.Id}{Label(r.Label)}");
            }
            if (t.Selected.Count > 50) s.AppendLine($"    + … and {t.Selected.Count - 50} more (see --output json)");
            foreach (var x in t.Excluded.Take(20))
            {
                s.AppendLine($"    - {x.Id}: {x.Reason}");
            }
            if (t.Excluded.Count > 20) s.AppendLine($"    - … and {t.Excluded.Count - 20} more excluded (see --output json)");
            if (t.Matched == 0) s.AppendLine("    (nothing matches this selector now)");
        }
        s.AppendLine();
        s.AppendLine($"Method (lasts at least {Duration.Format(e.MethodDuration)})");
        foreach (var step in plan.Method)
        {
            if (step.Step is PauseStep)
            {
                s.AppendLine($"  {step.Step.Index + 1}. {step.Description}");
                continue;
            }
            var count = step.ResourceIds.Count;
            var together = step.Step.Parallel is { } group
                ? $"  [together with {string.Join(", ", plan.Method.Where(o => o.Step.Parallel == group && o != step).Select(o => o.Step.Name))}]"
                : "";
            s.AppendLine($"  {step.Step.Index + 1}. {step.Step.Name}: {step.Fault} on {step.Target} ({count} resource{(count == 1 ? "" : "s")}): {step.Description}"
                + (step.Reversible ? "" : "  [IRREVERSIBLE: cannot be undone]") + together);
            foreach (var check in step.Checks)
            {
                s.AppendLine($"       [{PreflightNote.Name(check.Verdict)}] {check.Text}");
            }
            if (step.Reversible)
            {
                s.AppendLine(step.ExpiresOnItsOwn is { } expiry
                    ? $"       if simian dies: {expiry}"
                    : "       if simian dies: no expiry on the provider's side; it stays until `simian recover` (or the team's watchdog) undoes it");
            }
        }
        s.AppendLine($"  then roll back: {e.Rollback switch { RollbackMode.OnDeviation => "only on deviation", RollbackMode.Never => "never (faults stay until recover)", _ => "always" }}");
        s.AppendLine();
        var ss = e.SteadyState;
        if (ss.Probes.Count == 0)
        {
            s.AppendLine("Steady state: no probes (nothing checks the hypothesis)");
        }
        else
        {
            s.AppendLine($"Steady state: every {Duration.Format(ss.Interval)}, a deviation is {ss.Tolerance} failure(s) in a row{(ss.AbortOnDeviation ? ", which aborts and rolls back" : "")}");
            foreach (var p in ss.Probes) s.AppendLine($"  {p.Name}: {p.Describe()}");
        }
        s.AppendLine();
        if (plan.Helpers.Count > 0)
        {
            s.AppendLine("Started by the run once approved (never by plan), stopped at the end");
            foreach (var h in plan.Helpers) s.AppendLine($"  {h.Provider} service {h.Name}: {h.Command}{(h.Note is null ? "" : $"  ({h.Note})")}");
            s.AppendLine();
        }
        s.AppendLine("Guard");
        foreach (var g in plan.Guard)
        {
            s.AppendLine($"  [{(g.Passed ? "pass" : "FAIL")}] {g.Check}: {g.Detail}");
        }
        s.AppendLine();
        var failed = plan.Guard.Count(g => !g.Passed);
        s.AppendLine(plan.Allowed
            ? $"Verdict: ALLOWED: {plan.SelectedCount} resource(s) would be affected"
            : $"Verdict: REFUSED: {failed} guard check(s) failed; nothing would be changed");
        return s.ToString();
    }

    private static string Label(string? label) => label is null ? "" : $"  {label}";
}
