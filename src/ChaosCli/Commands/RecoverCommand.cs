using System.CommandLine;
using Simian.Cli.Logging;
using Simian.Cli.Output;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Core.Platform;
using Simian.Core.Profiles;
using Simian.Core.Running;
using Simian.Core.Shared;

namespace Simian.Cli.Commands;

/// <summary>
/// <c>simian recover</c>: undo whatever unfinished experiments left behind, from their journals alone. With
/// <c>--state s3://…</c> it also finds, on any machine, the runs whose heartbeat stopped, and recovers them from the
/// shared journal; <c>--watch</c> does so in a loop: the team's watchdog.
/// </summary>
public static class RecoverCommand
{
    public sealed record Options(string? Journal, string Output, string? State = null, string? StateEndpoint = null, TimeSpan? StaleAfter = null,
        bool Force = false, TimeSpan? Watch = null);

    /// <summary>A shared run whose heartbeat is older than this is taken for dead.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(2);

    public static Command Create(CliContext context)
    {
        var journal = new Option<string?>("--journal") { Description = "Recover only this journal (default: every journal in the state folder)" };
        var output = OutputFormat.CreateOption();
        var state = StateInput.StateOption();
        var stateEndpoint = StateInput.EndpointOption();
        var staleAfter = new Option<string?>("--stale-after") { Description = "With --state s3://…: a run whose heartbeat is older than this is dead and is recovered (default 2m)" };
        var force = new Option<bool>("--force") { Description = "With --state s3://…: recover runs whose heartbeat is still fresh too (they may be alive: their changes are undone under them)" };
        var watch = new Option<string?>("--watch") { Description = "Recover every INTERVAL (e.g. 1m) until stopped: the team's watchdog" };
        var command = new Command("recover", "Undo what unfinished or crashed runs left behind; safe to run twice")
        {
            journal, output, state, stateEndpoint, staleAfter, force, watch,
        };
        command.SetAction(async (parse, ct) => await RunAsync(context, new Options(parse.GetValue(journal), parse.GetValue(output)!,
            parse.GetValue(state), parse.GetValue(stateEndpoint), DurationOf(parse.GetValue(staleAfter), "--stale-after", TimeSpan.Zero),
            parse.GetValue(force), DurationOf(parse.GetValue(watch), "--watch", TimeSpan.FromSeconds(1)))).ConfigureAwait(false));
        return command.WithExamples("simian recover", "simian recover --journal journal.jsonl --output json", "simian recover --state s3://team-state/game-days --watch 1m");
    }

    private static TimeSpan? DurationOf(string? text, string option, TimeSpan min)
    {
        if (text is null) return null;
        if (!Duration.TryParse(text, out var value, out var error)) throw new InvalidInputException($"{option} '{text}': {error}");
        if (value < min) throw new InvalidInputException($"{option} must be at least {Duration.Format(min)}");
        return value;
    }

    public static Task<int> RunAsync(CliContext context, string? journal, string output) => RunAsync(context, new Options(journal, output));

    public static async Task<int> RunAsync(CliContext context, Options options)
    {
        var s = context.Services;
        var state = StateInput.Resolve(context, options.State, options.StateEndpoint);
        if (state.Shared is null && (options.StaleAfter is not null || options.Force))
        {
            throw new InvalidInputException("--stale-after and --force apply to shared state: add --state s3://BUCKET/PREFIX");
        }
        if (options.Journal is not null)
        {
            if (state.Shared is not null) throw new InvalidInputException("--journal and --state s3://… do not go together: with shared state, recover finds each run itself");
            // Named explicitly, a journal may be another user's (an on-call engineer recovering a colleague's run), but
            // it is never reached through a symlink: what recover obeys is the file itself.
            var id = Posix.Lstat(options.Journal) ?? throw new InvalidInputException($"journal {options.Journal} does not exist");
            if (id.IsSymlink) throw new InvalidInputException($"journal {options.Journal} is a symbolic link; name the journal file itself");
            if (!id.IsRegularFile) throw new InvalidInputException($"journal {options.Journal} is {id.KindText}, not a journal");
        }
        else
        {
            state.Local.EnsureOwnerOnly(create: state.Shared is not null);
        }
        using var log = LogSetup.Create(context.Stderr, false, null);
        var recovery = new Recovery(s.Registry, new UndoExecutor(s.Time, s.UndoAttempts), s.Time, new LogRunObserver(log, s.Time));
        if (options.Watch is not { } every)
        {
            var reports = await RoundAsync(context, options, state, recovery, CancellationToken.None).ConfigureAwait(false);
            await WriteAsync(context, options.Output, reports).ConfigureAwait(false);
            return reports.All(r => r.Report.Complete) ? ExitCodes.Ok : ExitCodes.RollbackIncomplete;
        }
        // The watchdog: a round, then a wait; a signal ends the wait at once but never cuts a round's undo short.
        using var stop = new CancellationTokenSource();
        using var attached = s.Signals.Attach(stop);
        var complete = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var reports = await RoundAsync(context, options, state, recovery, CancellationToken.None).ConfigureAwait(false);
                complete = reports.All(r => r.Report.Complete);
                await WriteAsync(context, options.Output, reports, quiet: true).ConfigureAwait(false);
            }
            catch (SimianException e) when (e is not InvalidInputException)
            {
                // A watchdog outlives a bad minute (S3 unreachable, credentials expiring): say so, try again next round.
                complete = false;
                await context.Stderr.WriteLineAsync($"simian: recover round failed: {Redaction.Text(e.Message)}; trying again in {Duration.Format(every)}").ConfigureAwait(false);
            }
            try
            {
                await Task.Delay(every, s.Time, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return complete ? ExitCodes.Ok : ExitCodes.RollbackIncomplete;
    }

    /// <summary>One report, and where it came from (a local journal, or a run in the shared state).</summary>
    private sealed record Entry(RecoveryReport Report, string? RunId, bool Shared);

    private static async Task<List<Entry>> RoundAsync(CliContext context, Options options, StateInput.Resolved state, Recovery recovery, CancellationToken cancellationToken)
    {
        var entries = new List<Entry>();
        var local = options.Journal is not null ? [options.Journal] : state.Local.ExistingJournals().ToList();
        IReadOnlyList<SharedRunInfo> shared = [];
        if (state.Shared is { } sharedState)
        {
            try
            {
                shared = await sharedState.UnfinishedRunsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SharedStateException e)
            {
                throw new ProviderException($"cannot read the shared state {sharedState.Location}: {Redaction.Text(e.Message)}", e);
            }
        }
        // A run in the shared state is recovered once, through it, even when its local journal is on this machine.
        var localRunIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in local)
        {
            // Found by the scan: only this user's own journals, never a file someone else could have planted.
            if (options.Journal is null && Posix.Lstat(path) is { } found && StatePaths.Unsafe(found, expectDirectory: false) is { } why)
            {
                entries.Add(new Entry(new RecoveryReport(path, "", $"skipped: {why}", 0, 0, []), null, false));
                continue;
            }
            // Only with unfinished shared runs is a journal's run id needed before recovering it (to leave it to them).
            if (shared.Count > 0 && RunIdOf(path) is { } runId)
            {
                localRunIds.TryAdd(runId, path);
                if (shared.Any(r => r.RunId == runId)) continue;
            }
            var report = await recovery.RecoverAsync(path).ConfigureAwait(false);
            entries.Add(new Entry(report, report.RunId, false));
        }
        if (state.Shared is { } store)
        {
            foreach (var run in shared)
            {
                entries.Add(await RecoverSharedAsync(context, options, state.Local, store, run, localRunIds.GetValueOrDefault(run.RunId), recovery, cancellationToken).ConfigureAwait(false));
            }
        }
        return entries;
    }

    private static async Task<Entry> RecoverSharedAsync(CliContext context, Options options, StatePaths local, ISharedState store, SharedRunInfo run, string? localJournal,
        Recovery recovery, CancellationToken cancellationToken)
    {
        var s = context.Services;
        var where = $"{store.Location}runs/{run.RunId}";
        Entry Skipped(string why) => new(new RecoveryReport(where, run.Experiment, $"skipped: {why}", 0, 0, []), run.RunId, true);
        var age = run.LastHeartbeat is { } beat ? s.Time.GetUtcNow() - beat : TimeSpan.MaxValue;
        var staleAfter = options.StaleAfter ?? DefaultStaleAfter;
        if (!options.Force && age < staleAfter)
        {
            return Skipped($"run {run.RunId} ({run.User}@{run.Host}) is alive: its heartbeat is {Duration.Format(age < TimeSpan.Zero ? TimeSpan.Zero : age)} old " +
                $"(dead after {Duration.Format(staleAfter)}; --force recovers it anyway)");
        }
        string? note = null;
        try
        {
            // The claim names this recover (an id of its own), not the dead run it recovers.
            var self = RunIdentity.Current(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)), "recover " + run.Experiment);
            await using var claim = await store.ClaimRecoveryAsync(run.RunId, self, text => note = text, cancellationToken).ConfigureAwait(false);
            if (claim is null) return Skipped(note ?? "another recover holds it");
            // This machine's own journal of the run is the fullest (it is written before the shared one); otherwise
            // the shared journal is copied into this state folder and recovered like any other.
            var path = localJournal ?? await DownloadAsync(store, local, run.RunId, cancellationToken).ConfigureAwait(false);
            var report = await recovery.RecoverAsync(path, claim.Journal).ConfigureAwait(false);
            var complete = report.Complete && !report.Outcome.StartsWith("skipped", StringComparison.Ordinal) && report.Outcome != "refused";
            await claim.FinishAsync(complete, cancellationToken).ConfigureAwait(false);
            return new Entry(report, run.RunId, true);
        }
        catch (SharedStateException e)
        {
            return new Entry(new RecoveryReport(where, run.Experiment, "incomplete", 0, 0, [$"shared state: {Redaction.Text(e.Message)}"]), run.RunId, true);
        }
    }

    /// <summary>Copies a run's shared journal into <c>journals/shared-RUN.jsonl</c> (owner-only, replaced whole).</summary>
    private static async Task<string> DownloadAsync(ISharedState store, StatePaths local, string runId, CancellationToken cancellationToken)
    {
        var lines = await store.ReadJournalAsync(runId, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(local.Journals);
        var path = Path.Combine(local.Journals, $"shared-{runId}.jsonl");
        var temp = Path.Combine(local.Journals, $".shared-{runId}-{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                foreach (var line in lines)
                {
                    file.Write(line);
                    file.WriteByte((byte)'\n');
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Posix.FsyncDirectory(local.Journals);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw new EnvironmentException($"cannot copy the shared journal of run {runId} into {local.Journals}: {e.Message}", e);
        }
        return path;
    }

    private static string? RunIdOf(string path)
    {
        try
        {
            return JournalState.Read(path).RunId is { Length: > 0 } id ? id : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(CliContext context, string output, List<Entry> entries, bool quiet = false)
    {
        var reports = entries.Select(e => e.Report).ToList();
        var failed = reports.Where(r => !r.Complete).ToList();
        if (output == "json")
        {
            await context.Stdout.WriteLineAsync(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("complete", failed.Count == 0);
                w.WriteStartArray("journals");
                foreach (var (r, runId, shared) in entries)
                {
                    w.WriteStartObject();
                    w.WriteString("journal", r.JournalPath);
                    w.WriteString("experiment", r.Experiment);
                    if (runId is null) w.WriteNull("runId"); else w.WriteString("runId", runId);
                    w.WriteBoolean("shared", shared);
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
            return;
        }
        // Shown: what was done or skipped, and every shared run looked at (it was finished even with nothing to undo).
        var acted = entries.Where(e => e.Report.Restored + e.Report.NothingToDo + e.Report.Failed.Count > 0
            || e.Report.Outcome.StartsWith("skipped", StringComparison.Ordinal) || (e.Shared && e.Report.Outcome == "nothing to undo")).Select(e => e.Report).ToList();
        if (acted.Count == 0 && !quiet) await context.Stdout.WriteLineAsync($"nothing to recover ({reports.Count} journal(s) checked)").ConfigureAwait(false);
        foreach (var r in acted)
        {
            await context.Stdout.WriteLineAsync($"{r.JournalPath}: {r.Outcome}: {r.Restored} restored, {r.NothingToDo} already clean, {r.Failed.Count} failed").ConfigureAwait(false);
            foreach (var f in r.Failed) await context.Stdout.WriteLineAsync($"  NOT RESTORED: {f}").ConfigureAwait(false);
        }
        await context.Stdout.FlushAsync().ConfigureAwait(false);
    }
}
