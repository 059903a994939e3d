using Simian.Core.Planning;
using Simian.Core.Running;

namespace Simian.Cli.Output;

/// <summary>The result of a run on stdout: a few lines for people, or one JSON document.</summary>
public static class RunSummary
{
    public static async Task WriteAsync(CliContext context, Plan plan, RunOutcome outcome, string runId, string output, bool dryRun)
    {
        var status = RunOutcome.StatusText(outcome.Status);
        if (output == "json")
        {
            await context.Stdout.WriteLineAsync(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("experiment", plan.Experiment.Name);
                w.WriteString("runId", runId);
                w.WriteString("fingerprint", plan.Fingerprint);
                w.WriteString("simianVersion", Simian.Core.SimianVersion.Text);
                w.WriteBoolean("dryRun", dryRun);
                w.WriteString("status", status);
                w.WriteNumber("exitCode", outcome.ExitCode);
                w.WriteString("reason", outcome.Reason);
                w.WriteString("journal", outcome.JournalPath);
                w.WriteNumber("injected", outcome.Injected);
                w.WriteNumber("restored", outcome.Restored);
                w.WriteStartArray("notRestored");
                foreach (var x in outcome.NotRestored) w.WriteStringValue(x);
                w.WriteEndArray();
                w.WriteStartArray("notRecorded");
                foreach (var x in outcome.Unrecorded) w.WriteStringValue(x);
                w.WriteEndArray();
                w.WriteStartArray("leftInPlace");
                foreach (var x in outcome.LeftInPlace) w.WriteStringValue(x);
                w.WriteEndArray();
                w.WriteStartArray("probes");
                foreach (var p in outcome.Probes)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Probe);
                    w.WriteNumber("checks", p.Checks);
                    w.WriteNumber("failures", p.Failures);
                    if (p.LastFailure is null) w.WriteNull("lastFailure"); else w.WriteString("lastFailure", p.LastFailure);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (outcome.SteadyAfter is { } after) w.WriteBoolean("steadyStateAfter", after); else w.WriteNull("steadyStateAfter");
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }
        var o = context.Stdout;
        await o.WriteLineAsync().ConfigureAwait(false);
        await o.WriteLineAsync($"Experiment '{plan.Experiment.Name}'{(dryRun ? " (dry run)" : "")}: {status.ToUpperInvariant()}: {outcome.Reason}").ConfigureAwait(false);
        await o.WriteLineAsync($"  changes made: {outcome.Injected}, restored: {outcome.Restored}").ConfigureAwait(false);
        foreach (var p in outcome.Probes)
        {
            await o.WriteLineAsync($"  probe {p.Probe}: {p.Checks} check(s), {p.Failures} failed{(p.LastFailure is null ? "" : $" (last failure: {p.LastFailure})")}").ConfigureAwait(false);
        }
        if (outcome.SteadyAfter is { } held)
        {
            await o.WriteLineAsync($"  steady state after rollback: {(held ? "restored" : "NOT restored")}").ConfigureAwait(false);
        }
        foreach (var x in outcome.LeftInPlace) await o.WriteLineAsync($"  left in place (rollback: {plan.Experiment.Rollback}): {x}").ConfigureAwait(false);
        foreach (var x in outcome.NotRestored) await o.WriteLineAsync($"  NOT RESTORED: {x}").ConfigureAwait(false);
        if (outcome.NotRestored.Count > 0 || outcome.LeftInPlace.Count > 0)
        {
            await o.WriteLineAsync($"  undo with: simian recover --journal {outcome.JournalPath}").ConfigureAwait(false);
        }
        foreach (var x in outcome.Unrecorded) await o.WriteLineAsync($"  restored, but NOT RECORDED in the journal: {x}").ConfigureAwait(false);
        await o.WriteLineAsync($"  journal: {outcome.JournalPath}").ConfigureAwait(false);
        // A dry run proves nothing about the hypothesis, and its last word says so.
        if (dryRun) await o.WriteLineAsync("DRY RUN — nothing was injected").ConfigureAwait(false);
    }
}
