using System.Text.Json.Nodes;
using Simian.Core.Journal;
using Simian.Core.Planning;
using Simian.Core.Probes;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Core.Running;

public sealed record RunOptions(string RunId, string JournalPath, bool DryRun);

/// <summary>
/// Runs an approved plan: the journal, the profile's helpers (journaled), steady state before, each fault journaled
/// before it is injected, holds with background probing, rollback in reverse order, steady state after, helpers
/// stopped. The runner, not the faults, owns the journal, the timing and the rollback order. Whatever fails after
/// the first change — a fault, a probe, an observer, the journal itself — rollback still runs.
/// </summary>
public sealed class ExperimentRunner(ProviderRegistry registry, IProbeRunner probes, TimeProvider time, IRunObserver observer, UndoExecutor undo)
{
    private readonly IRunObserver _observer = observer as SafeObserver ?? new SafeObserver(observer);

    private sealed record Active(int Seq, string Name, string TargetType, IFault Fault, FaultContext Context, JsonObject Undo, TimeSpan? Duration)
    {
        public DateTimeOffset NextKeepAlive { get; set; }

        /// <summary>Kept alive only between a successful apply and the start of its undo.</summary>
        public volatile bool Live;

        public bool Helper { get; init; }

        public string What => Helper ? $"helper '{Context.Resource.Id}'" : $"{Name} on {Context.Resource.Id}";
    }

    /// <summary>What a rollback pass did: undos that failed, and undos done that the journal could not record.</summary>
    private sealed record UndoResult(List<string> Failed, List<string> Unrecorded)
    {
        public int Restored { get; set; }
    }

    public async Task<RunOutcome> RunAsync(Plan plan, RunOptions options, Interruption interruption)
    {
        var experiment = plan.Experiment;
        // Nothing is changed before this succeeds: a journal that cannot be created ends the run here (exit 4).
        using var journal = JournalWriter.Create(options.JournalPath, time);
        journal.Started(options.RunId, experiment.Name, experiment.SourcePath, plan.Fingerprint, options.DryRun, RunContext(plan));
        await using var monitor = new SteadyStateMonitor(experiment.SteadyState, probes, journal, _observer, time);

        var active = new List<Active>();
        var all = new List<Active>();
        var helpers = new List<Active>();
        var scopes = new List<IAsyncDisposable>();
        // Each provider's per-run state, by provider name: what its start-up returned.
        var sessions = new Dictionary<string, object>(StringComparer.Ordinal);
        using var maxDuration = experiment.Safety.MaxDuration is { } max
            ? new CancellationTokenSource(max, time)
            : new CancellationTokenSource();
        // A journal that stops taking writes stops the experiment at once: nothing more may be changed unrecorded.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interruption.Token, maxDuration.Token, journal.Broken, monitor.Broken);
        using var keepAliveStop = new CancellationTokenSource();
        var keepAlive = Task.Run(() => KeepAliveLoopAsync(active, keepAliveStop.Token));
        string? failure = null;
        var refusedBefore = false;
        var stepEndFailures = new UndoResult([], []);

        try
        {
            await StartHelpersAsync(experiment, options.RunId, journal, helpers, scopes, sessions, interruption, stop.Token).ConfigureAwait(false);

            // Steady state before: a system that is already unhealthy is not experimented on.
            if (experiment.SteadyState.Probes.Count > 0)
            {
                _observer.Phase("checking steady state before injecting");
                refusedBefore = !await monitor.RoundAsync("before", stop.Token).ConfigureAwait(false);
            }
            if (!refusedBefore && !stop.IsCancellationRequested)
            {
                monitor.Start("during");
                failure = await MethodAsync(plan, options, journal, monitor, active, all, stepEndFailures, sessions, interruption, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = FailureText(e);
        }
        finally
        {
            await monitor.StopAsync().ConfigureAwait(false);
        }
        if (failure is null && journal.FirstFailure is not null) failure = $"the journal could not be written ({journal.FirstFailure})";
        if (failure is null && monitor.BrokenReason is { } broken) failure = broken;

        var interrupted = interruption.Requested;
        var timedOut = !interrupted && maxDuration.IsCancellationRequested;
        var deviated = monitor.Deviated;
        string reason;
        RunStatus status;
        const string refusal = "not injecting: the steady state does not hold before the experiment; nothing was changed";
        if (interrupted) { status = RunStatus.Interrupted; reason = all.Count == 0 ? $"interrupted by {interruption.Signal} before any change; nothing was changed" : $"interrupted by {interruption.Signal}"; }
        else if (failure is not null) { status = RunStatus.Aborted; reason = failure; }
        else if (refusedBefore) { status = RunStatus.Aborted; reason = refusal; }
        else if (timedOut) { status = RunStatus.Aborted; reason = $"aborted: safety.maxDuration ({Duration.Format(experiment.Safety.MaxDuration!.Value)}) reached"; }
        else if (deviated) { status = RunStatus.Deviated; reason = $"hypothesis deviated: {monitor.DeviationDetail}"; }
        else if (options.DryRun) { status = RunStatus.Completed; reason = "DRY RUN — nothing was injected"; }
        else { status = RunStatus.Completed; reason = "hypothesis held"; }

        // Interruptions, failures and aborts always roll back; `rollback:` decides for a run that went to the end.
        var rollBack = status is RunStatus.Interrupted or RunStatus.Aborted || experiment.Rollback switch
        {
            RollbackMode.Always => true,
            RollbackMode.OnDeviation => deviated,
            _ => false,
        };
        List<Active> remaining;
        lock (active) remaining = active.ToList();
        var notRestored = new List<string>(stepEndFailures.Failed);
        var restored = stepEndFailures.Restored;
        var unrecorded = new List<string>(stepEndFailures.Unrecorded);
        var left = new List<string>();
        interruption.MarkRollingBack();
        // A fault with a duration was promised to last only that long: it ends whatever `rollback:` says.
        var toUndo = rollBack ? remaining : remaining.Where(a => a.Duration is not null).ToList();
        foreach (var a in remaining.Except(toUndo))
        {
            TryRecord(() => journal.Left(a.Seq, $"rollback: {experiment.Rollback}"), a.What, unrecorded);
            left.Add(a.What);
        }
        if (toUndo.Count > 0)
        {
            _observer.Phase($"rolling back {toUndo.Count} change(s)");
            TryRecord(() => journal.Note(JournalEventNames.Rollback, $"rolling back {toUndo.Count} change(s): {reason}"), null, unrecorded);
            var result = await UndoAllAsync(toUndo, journal, active, "rollback").ConfigureAwait(false);
            restored += result.Restored;
            notRestored.AddRange(result.Failed);
            unrecorded.AddRange(result.Unrecorded);
        }
        await keepAliveStop.CancelAsync().ConfigureAwait(false);
        await keepAlive.ConfigureAwait(false);

        bool? steadyAfter = null;
        // Not after a refusal: the system was unhealthy before anything was done, and nothing was done.
        if (experiment.SteadyState.Probes.Count > 0 && notRestored.Count == 0 && !interruption.Requested && !refusedBefore)
        {
            _observer.Phase("checking steady state after rollback");
            steadyAfter = await SteadyAfterAsync(monitor, experiment.SteadyState).ConfigureAwait(false);
            if (steadyAfter == false && status == RunStatus.Completed)
            {
                status = RunStatus.Deviated;
                reason = "hypothesis deviated: the steady state did not return after the experiment";
            }
        }

        // The profile's helpers go last, after the check that may need them; they stop whatever `rollback:` says.
        if (helpers.Count > 0)
        {
            var result = await UndoAllAsync(helpers, journal, helpers, "rollback").ConfigureAwait(false);
            notRestored.AddRange(result.Failed);
            unrecorded.AddRange(result.Unrecorded);
        }
        for (var i = scopes.Count - 1; i >= 0; i--)
        {
            try { await scopes[i].DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { _observer.Warning($"could not tear down a helper: {Redaction.Text(e.Message)}"); }
        }

        // A signal during rollback (or the check after it) cannot cut it short, but it still stopped the run.
        if (status != RunStatus.Interrupted && interruption.Requested)
        {
            status = RunStatus.Interrupted;
            reason = $"interrupted by {interruption.Signal} during rollback ({reason})";
        }
        if (notRestored.Count > 0)
        {
            status = RunStatus.RollbackFailed;
            reason = $"rollback incomplete: {notRestored.Count} change(s) not undone; run `simian recover --journal {journal.Path}`";
        }
        else if (unrecorded.Count > 0)
        {
            status = RunStatus.RollbackFailed;
            reason = $"rollback could not be recorded: the journal could not be written ({journal.FirstFailure}); {unrecorded.Count} change(s) " +
                $"were undone but the journal does not say so. Free the space, then run `simian recover --journal {journal.Path}` (it finds them already clean)";
        }
        var exitCode = status switch
        {
            RunStatus.Completed => ExitCodes.Ok,
            RunStatus.Interrupted => interruption.ExitCode,
            RunStatus.RollbackFailed => ExitCodes.RollbackIncomplete,
            // Nothing was changed: the system was not healthy to begin with.
            RunStatus.Aborted when failure is null && refusedBefore => ExitCodes.Refused,
            // A fault that could not be read or applied, or a journal that could not be written, is a provider or
            // environment failure, even though everything was rolled back.
            RunStatus.Aborted when failure is not null => ExitCodes.Provider,
            _ => ExitCodes.Deviated,
        };
        TryRecord(() => journal.Finished(RunOutcome.StatusText(status), exitCode, reason), null, []);
        return new RunOutcome
        {
            Status = status,
            ExitCode = exitCode,
            JournalPath = journal.Path,
            Reason = reason,
            Injected = all.Count,
            Restored = restored,
            LeftInPlace = left,
            NotRestored = notRestored,
            Unrecorded = unrecorded,
            Probes = monitor.Stats(),
            SteadyAfter = steadyAfter,
            DryRun = options.DryRun,
        };
    }

    /// <summary>The method, step by step; returns why it stopped early, or null.</summary>
    private async Task<string?> MethodAsync(Plan plan, RunOptions options, JournalWriter journal, SteadyStateMonitor monitor,
        List<Active> active, List<Active> all, UndoResult stepEndFailures, Dictionary<string, object> sessions, Interruption interruption, CancellationToken stop)
    {
        var experiment = plan.Experiment;
        foreach (var stepPlan in plan.Method)
        {
            if (stop.IsCancellationRequested) return null;
            if (monitor.Deviated && experiment.SteadyState.AbortOnDeviation) return null;
            var step = stepPlan.Step;
            journal.Step("start", step.Index, step.Name);
            if (step is PauseStep pause)
            {
                _observer.Phase($"pausing {Duration.Format(pause.PauseFor)}");
                await HoldAsync(pause.PauseFor, monitor, experiment.SteadyState.AbortOnDeviation, stop).ConfigureAwait(false);
                continue;
            }
            var faultStep = (FaultStep)step;
            var target = plan.Target(faultStep.Target);
            var fault = registry.Fault(target.Type, faultStep.Fault)!;
            var providerName = target.Type.Split(':')[0];
            var settings = (experiment.Providers.GetValueOrDefault(providerName) ?? ProviderSettings.Empty(providerName)) with
            {
                Session = sessions.GetValueOrDefault(providerName),
            };
            var stepFaults = new List<Active>();
            if (target.Selected.Count == 0) _observer.Warning($"step '{step.Name}': target '{target.Name}' selected nothing; nothing to inject");
            foreach (var resource in target.Selected)
            {
                if (stop.IsCancellationRequested) return null;
                var context = new FaultContext(options.RunId, step.Name, resource, faultStep.Params, step.Duration, settings, time);
                if (options.DryRun)
                {
                    _observer.Phase($"[dry run] would {stepPlan.Description} on {resource.Id}");
                    journal.Note(JournalEventNames.WouldApply, $"{step.Name}: {stepPlan.Description} on {resource.Id}");
                    continue;
                }
                _observer.Phase($"{step.Name}: {stepPlan.Description} on {resource.Id}");
                JsonObject captured;
                try
                {
                    captured = await fault.CaptureAsync(context, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    return $"step '{step.Name}' could not read {resource.Id} before changing it: {Redaction.Text(e.Message)}";
                }
                // The undo record is on disk before the change is made; a journal that cannot take it stops here.
                interruption.MarkChanged();
                var seq = journal.Intent(step.Name, fault.Name, target.Type, target.Name, resource, fault.Reversible, settings.Values, captured, stepPlan.Description);
                var record = new Active(seq, step.Name, target.Type, fault, context, captured, step.Duration) { NextKeepAlive = time.GetUtcNow() };
                all.Add(record);
                if (fault.Reversible)
                {
                    lock (active) active.Add(record);
                    stepFaults.Add(record);
                }
                try
                {
                    await fault.ApplyAsync(context, captured, stop).ConfigureAwait(false);
                }
                catch (FaultNotAppliedException e)
                {
                    // Certainly not made: nothing to undo, and nothing for recover to find.
                    lock (active) active.Remove(record);
                    all.Remove(record);
                    journal.ApplyFailed(seq, Redaction.Text(e.Message), notApplied: true);
                    return $"step '{step.Name}' could not be applied to {resource.Id}: {Redaction.Text(e.Message)} (nothing was changed there)";
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    journal.ApplyFailed(seq, Redaction.Text(e.Message));
                    return $"step '{step.Name}' failed on {resource.Id}: {Redaction.Text(e.Message)}";
                }
                journal.Applied(seq);
                record.Live = true;
            }
            if (step.Duration is { } hold)
            {
                _observer.Phase($"{step.Name}: holding {Duration.Format(hold)}");
                await HoldAsync(hold, monitor, experiment.SteadyState.AbortOnDeviation, stop).ConfigureAwait(false);
                if (stop.IsCancellationRequested || (monitor.Deviated && experiment.SteadyState.AbortOnDeviation)) return null;
                // A step with a duration ends its own faults when the duration is over.
                _observer.Phase($"{step.Name}: duration over, ending the fault");
                var ended = await UndoAllAsync(stepFaults, journal, active, "duration").ConfigureAwait(false);
                stepEndFailures.Failed.AddRange(ended.Failed);
                stepEndFailures.Restored += ended.Restored;
                stepEndFailures.Unrecorded.AddRange(ended.Unrecorded);
                if (ended.Failed.Count > 0 || ended.Unrecorded.Count > 0) return null;
            }
            journal.Step("end", step.Index, step.Name);
        }
        return null;
    }

    /// <summary>Starts each provider's helpers (services, an embedded proxy); processes are journaled before they start.</summary>
    private async Task StartHelpersAsync(Experiment experiment, string runId, JournalWriter journal, List<Active> helpers,
        List<IAsyncDisposable> scopes, Dictionary<string, object> sessions, Interruption interruption, CancellationToken stop)
    {
        foreach (var (name, settings) in experiment.Providers)
        {
            if (registry.Provider(name) is not IProviderLifecycle lifecycle) continue;
            var helperJournal = new HelperJournal(journal, runId, settings, helpers, interruption, time);
            var session = await lifecycle.StartAsync(settings, new RunHelpers(runId, _observer, helperJournal), stop).ConfigureAwait(false);
            scopes.Add(session);
            sessions[name] = session;
        }
    }

    /// <summary>Journals helpers as changes of the run, so rollback and recover stop them like any fault.</summary>
    private sealed class HelperJournal(JournalWriter journal, string runId, ProviderSettings settings, List<Active> helpers, Interruption interruption, TimeProvider time)
        : IHelperJournal
    {
        public int Intent(string targetType, IFault fault, Resource resource, JsonObject undo, string description)
        {
            interruption.MarkChanged();
            var seq = journal.Intent(JournalWriter.HelpersStep, fault.Name, targetType, resource.Id, resource, reversible: true, settings.Values, undo, description);
            var context = new FaultContext(runId, JournalWriter.HelpersStep, resource, new Yaml.YMapping([], new Diagnostics.SourceLocation("", 0, 0)), null, settings, time);
            lock (helpers) helpers.Add(new Active(seq, "helper", targetType, fault, context, undo, null) { Helper = true });
            return seq;
        }

        public void Applied(int seq) => journal.Applied(seq);
    }

    private static string FailureText(Exception e) => e switch
    {
        JournalWriteException j => $"the journal could not be written ({j.Reason})",
        SimianException s => Redaction.Text(s.Message),
        _ => $"{e.GetType().Name}: {Redaction.Text(e.Message)}",
    };

    /// <summary>Writes a journal line that records what was already done; a failure is noted, never thrown.</summary>
    private static void TryRecord(Action write, string? what, List<string> unrecorded)
    {
        try
        {
            write();
        }
        catch (JournalWriteException)
        {
            if (what is not null) unrecorded.Add(what);
        }
        catch (ObjectDisposedException)
        {
            if (what is not null) unrecorded.Add(what);
        }
    }

    /// <summary>Plan facts for the journal's first line, so a report can tell the story without the profile.</summary>
    private static JsonObject RunContext(Plan plan)
    {
        var e = plan.Experiment;
        var probes = new JsonArray();
        foreach (var p in e.SteadyState.Probes)
        {
            var probe = new JsonObject { ["name"] = p.Name, ["kind"] = p is HttpProbeSpec ? "http" : "command", ["description"] = p.Describe() };
            if (p is HttpProbeSpec { MaxLatency: { } max }) probe["maxLatencyMs"] = max.TotalMilliseconds;
            probes.Add((JsonNode)probe);
        }
        var steps = new JsonArray();
        foreach (var s in plan.Method)
        {
            steps.Add((JsonNode)new JsonObject
            {
                ["index"] = s.Step.Index + 1,
                ["name"] = s.Step.Name,
                ["kind"] = s.Step is PauseStep ? "pause" : "fault",
                ["fault"] = s.Fault,
                ["target"] = s.Target,
                ["duration"] = s.Step.Duration is { } d ? Duration.Format(d) : null,
                ["description"] = s.Description,
            });
        }
        return new JsonObject
        {
            ["simianVersion"] = typeof(ExperimentRunner).Assembly.GetName().Version?.ToString(),
            ["host"] = Environment.MachineName,
            ["user"] = Environment.UserName,
            ["rollback"] = e.Rollback switch { RollbackMode.OnDeviation => "on-deviation", RollbackMode.Never => "never", _ => "always" },
            ["steadyState"] = new JsonObject
            {
                ["intervalMs"] = e.SteadyState.Interval.TotalMilliseconds,
                ["tolerance"] = e.SteadyState.Tolerance,
                ["abortOnDeviation"] = e.SteadyState.AbortOnDeviation,
                ["probes"] = probes,
            },
            ["steps"] = steps,
        };
    }

    private async Task HoldAsync(TimeSpan duration, SteadyStateMonitor monitor, bool abortOnDeviation, CancellationToken stop)
    {
        var delay = Task.Delay(duration, time, stop);
        var finished = abortOnDeviation ? await Task.WhenAny(delay, monitor.Deviation).ConfigureAwait(false) : delay;
        try
        {
            await finished.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Undoes in reverse order of injection. Never throws: a failed undo or journal write never stops the rest.</summary>
    private async Task<UndoResult> UndoAllAsync(List<Active> faults, JournalWriter journal, List<Active> active, string by)
    {
        var result = new UndoResult([], []);
        List<Active> ordered;
        lock (faults) ordered = faults.OrderByDescending(f => f.Seq).ToList();
        var journaled = JournaledChanges(journal.Path);
        foreach (var a in ordered)
        {
            a.Live = false;
            // Undone from what the journal holds, exactly as recover would after a crash; only if the journal cannot be
            // read back (its file removed under the run) from the same record kept in memory — rollback always runs.
            var ctx = (journaled.TryGetValue(a.Seq, out var change)
                ? UndoContext.FromJournal(change, a.Context.RunId, time)
                : new UndoContext(a.Context.RunId, a.Context.Resource.Id, a.Context.Resource.Attributes, a.Undo, a.Context.Settings.Values, time)) with
            {
                Note = text => _observer.Phase(Redaction.Text(text)),
                Session = a.Context.Settings.Session,
            };
            try
            {
                var outcome = await undo.UndoAsync(a.Fault, ctx).ConfigureAwait(false);
                TryRecord(() => journal.Undone(a.Seq, by, outcome), a.What, result.Unrecorded);
                result.Restored++;
                _observer.Phase(a.Helper ? $"stopped {a.What}" : $"restored {a.What}");
            }
            catch (Exception e)
            {
                var message = Redaction.Text(e.Message);
                TryRecord(() => journal.UndoFailed(a.Seq, message), null, result.Unrecorded);
                _observer.Warning($"could not undo {a.What}: {message}");
                result.Failed.Add($"{a.What}: {message}");
            }
            // Out of the active set either way: a failed undo has used its retries and must not be retried (and
            // counted) again by the final rollback, nor kept alive; the journal leaves it to recover.
            lock (active) active.Remove(a);
        }
        return result;
    }

    /// <summary>The journal's changes by sequence number, or none if it cannot be read back.</summary>
    private Dictionary<int, JournalChange> JournaledChanges(string path)
    {
        try
        {
            var changes = new Dictionary<int, JournalChange>();
            foreach (var c in JournalState.Read(path).Changes) changes[c.Seq] = c;
            return changes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _observer.Warning($"cannot read the journal back ({Redaction.Text(e.Message)}); undoing from the records kept in memory");
            return [];
        }
    }

    private async Task<bool> SteadyAfterAsync(SteadyStateMonitor monitor, SteadyStateSpec spec)
    {
        // Give the system a few intervals to settle after rollback before calling it a deviation.
        for (var attempt = 0; attempt <= spec.Tolerance + 1; attempt++)
        {
            if (attempt > 0) await Task.Delay(spec.Interval, time).ConfigureAwait(false);
            if (await monitor.RoundAsync("after", CancellationToken.None).ConfigureAwait(false)) return true;
        }
        return false;
    }

    private async Task KeepAliveLoopAsync(List<Active> active, CancellationToken cancellationToken)
    {
        try
        {
            // A renewal is sent once its due time is less than one tick away, never a tick late: so renewals are
            // at most KeepAliveInterval apart (TTL/3 for the proxy: three chances before a fault lapses).
            var tick = TimeSpan.FromMilliseconds(250);
            using var timer = new PeriodicTimer(tick, time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Active[] snapshot;
                lock (active) snapshot = active.ToArray();
                foreach (var a in snapshot)
                {
                    if (a.Fault is not IKeepAliveFault k || !a.Live || time.GetUtcNow() + tick <= a.NextKeepAlive) continue;
                    a.NextKeepAlive = time.GetUtcNow() + k.KeepAliveInterval(a.Context);
                    try
                    {
                        await k.KeepAliveAsync(a.Context, a.Undo, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _observer.Warning($"keep-alive for {a.What} failed: {Redaction.Text(e.Message)}");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
