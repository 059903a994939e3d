using System.CommandLine;
using Simian.Cli.Logging;
using Simian.Cli.Output;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Core.Platform;
using Simian.Core.Running;

namespace Simian.Cli.Commands;

/// <summary><c>simian recover</c>: undo whatever unfinished experiments left behind, from their journals alone.</summary>
public static class RecoverCommand
{
    public static Command Create(CliContext context)
    {
        var journal = new Option<string?>("--journal") { Description = "Recover only this journal (default: every journal in the state folder)" };
        var output = OutputFormat.CreateOption();
        var command = new Command("recover", "Undo what unfinished or crashed runs left behind; safe to run twice") { journal, output };
        command.SetAction(async (parse, _) => await RunAsync(context, parse.GetValue(journal), parse.GetValue(output)!).ConfigureAwait(false));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, string? journal, string output)
    {
        var s = context.Services;
        if (journal is not null)
        {
            // Named explicitly, a journal may be another user's (an on-call engineer recovering a colleague's run), but
            // it is never reached through a symlink: what recover obeys is the file itself.
            var id = Posix.Lstat(journal) ?? throw new InvalidInputException($"journal {journal} does not exist");
            if (id.IsSymlink) throw new InvalidInputException($"journal {journal} is a symbolic link; name the journal file itself");
            if (!id.IsRegularFile) throw new InvalidInputException($"journal {journal} is {id.KindText}, not a journal");
        }
        else
        {
            s.State.EnsureOwnerOnly(create: false);
        }
        var paths = journal is not null ? [journal] : s.State.ExistingJournals().ToList();
        using var log = LogSetup.Create(context.Stderr, false, null);
        var recovery = new Recovery(s.Registry, new UndoExecutor(s.Time, s.UndoAttempts), s.Time, new LogRunObserver(log, s.Time));
        var reports = new List<RecoveryReport>();
        foreach (var path in paths)
        {
            // Found by the scan: only this user's own journals, never a file someone else could have planted.
            if (journal is null && Posix.Lstat(path) is { } found && StatePaths.Unsafe(found, expectDirectory: false) is { } why)
            {
                reports.Add(new RecoveryReport(path, "", $"skipped: {why}", 0, 0, []));
                continue;
            }
            reports.Add(await recovery.RecoverAsync(path).ConfigureAwait(false));
        }
        var failed = reports.Where(r => !r.Complete).ToList();
        if (output == "json")
        {
            await context.Stdout.WriteLineAsync(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("complete", failed.Count == 0);
                w.WriteStartArray("journals");
                foreach (var r in reports)
                {
                    w.WriteStartObject();
                    w.WriteString("journal", r.JournalPath);
                    w.WriteString("experiment", r.Experiment);
                    w.WriteString("outcome", r.Outcome);
                    w.WriteNumber("restored", r.Restored);
                    w.WriteNumber("alreadyClean", r.NothingToDo);
                    w.WriteStartArray("failed");
                    foreach (var f in r.Failed) w.WriteStringValue(f);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            })).ConfigureAwait(false);
        }
        else
        {
            var acted = reports.Where(r => r.Restored + r.NothingToDo + r.Failed.Count > 0 || r.Outcome.StartsWith("skipped", StringComparison.Ordinal)).ToList();
            if (acted.Count == 0) await context.Stdout.WriteLineAsync($"nothing to recover ({reports.Count} journal(s) checked)").ConfigureAwait(false);
            foreach (var r in acted)
            {
                await context.Stdout.WriteLineAsync($"{r.JournalPath}: {r.Outcome}: {r.Restored} restored, {r.NothingToDo} already clean, {r.Failed.Count} failed").ConfigureAwait(false);
                foreach (var f in r.Failed) await context.Stdout.WriteLineAsync($"  NOT RESTORED: {f}").ConfigureAwait(false);
            }
        }
        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.RollbackIncomplete;
    }
}
