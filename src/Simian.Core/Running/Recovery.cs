using Simian.Core.Journal;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Core.Running;

/// <summary>What recover did with one journal.</summary>
public sealed record RecoveryReport(string JournalPath, string Experiment, string Outcome, int Restored, int NothingToDo, IReadOnlyList<string> Failed)
{
    /// <summary>The run the journal belongs to, as its <c>started</c> line says; null where it was not read.</summary>
    public string? RunId { get; init; }

    public bool Complete => Failed.Count == 0;
}

/// <summary>
/// Undoes whatever unfinished runs left behind, from their journals alone. Skips journals whose run is still
/// alive; safe to run twice (the second time finds nothing pending).
/// </summary>
public sealed class Recovery(ProviderRegistry registry, UndoExecutor undo, TimeProvider time, IRunObserver observer)
{
    /// <param name="mirror">The run's shared journal (<c>--state s3://…</c>): recover's own events are written there too.</param>
    public async Task<RecoveryReport> RecoverAsync(string journalPath, IJournalMirror? mirror = null)
    {
        var state = JournalState.Read(journalPath);
        RecoveryReport Report(string outcome, int restored, int nothing, IReadOnlyList<string> failed) =>
            new(journalPath, state.Experiment, outcome, restored, nothing, failed) { RunId = state.RunId.Length > 0 ? state.RunId : null };
        if (state.Format > JournalState.FormatVersion)
        {
            // Its undo records may mean what this version cannot know: acting on them could make things worse.
            return Report("refused", 0, 0,
                [$"written by a newer simian (journal format {state.Format}; this version reads up to {JournalState.FormatVersion}): recover it with that version"]);
        }
        var pending = state.Pending;
        if (pending.Count == 0)
        {
            return Report("nothing to undo", 0, 0, []);
        }
        using var journal = JournalWriter.TryOpenExisting(journalPath, time);
        if (journal is null)
        {
            return Report($"skipped: run {state.RunId} (pid {state.Pid}) is still in progress", 0, 0, []);
        }
        journal.Mirror = mirror;
        // Re-read under the lock: another recover may have finished this journal meanwhile.
        state = JournalState.Read(journalPath);
        int restored = 0, nothing = 0;
        var failed = new List<string>();
        foreach (var change in state.Pending)
        {
            var what = $"{change.Step} ({change.Fault}) on {change.ResourceId}";
            var fault = registry.Fault(change.TargetType, change.Fault);
            if (fault is null)
            {
                failed.Add($"{what}: this build does not know fault '{change.Fault}' for '{change.TargetType}'");
                continue;
            }
            try
            {
                var ctx = UndoContext.FromJournal(change, state.RunId, time) with { Note = text => observer.Phase(Redaction.Text(text)) };
                var outcome = await undo.UndoAsync(fault, ctx).ConfigureAwait(false);
                journal.Undone(change.Seq, "recover", outcome);
                if (outcome == UndoOutcome.Restored) restored++; else nothing++;
                observer.Phase($"{(outcome == UndoOutcome.Restored ? "restored" : "already clean")}: {what}");
            }
            catch (Exception e)
            {
                var message = Redaction.Text(e.Message);
                journal.UndoFailed(change.Seq, message);
                failed.Add($"{what}: {message}");
            }
        }
        var outcomeText = failed.Count == 0 ? "recovered" : "incomplete";
        journal.Note(JournalEventNames.Recovered, $"{outcomeText}: {restored} restored, {nothing} already clean, {failed.Count} failed");
        return Report(outcomeText, restored, nothing, failed);
    }
}
