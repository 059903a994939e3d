using System.Text.Json.Nodes;
using Simian.Core.Journal;
using Simian.Core.Planning;
using Simian.Core.Probes;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Core.Running;

public sealed record RunOptions(string RunId, string JournalPath, bool DryRun)
{
    /// <summary>Locks every selected resource for the run (not for a dry run): one another run holds refuses this run.</summary>
    public Safety.TargetLocks? Locks { get; init; }

    /// <summary>
    /// Registers the journal's location in this state folder before anything changes (for a journal kept outside
    /// it), so a plain <c>simian recover</c> finds it; the registration is removed once nothing is left to recover.
    /// </summary>
    public StatePaths? RegisterIn { get; init; }

    /// <summary>
    /// Team-wide state (<c>--state s3://…</c>): the run is registered there, its targets locked there for every
    /// machine to see, and every journal line written there too before the change it announces. Not for a dry run.
    /// </summary>
    public Shared.ISharedState? Shared { get; init; }
}

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

        /// <summary>
        /// Held by a keep-alive while it runs: undo waits for it, so a renewal that read the resource before the undo
        /// can never write it back after (a bucket policy renewed over its own restore).
        /// </summary>
        public SemaphoreSlim KeepAliveGate { get; } = new(1, 1);

        public bool Helper { get; init; }

        public string What => Helper ? $"helper '{Context.Resource.Id}'" : $"{Name} on {Context.Resource.Id}";
    }

    /// <summary>What a rollback pass did: undos that failed, and undos done that the journal could not record.</summary>
    private sealed record UndoResult(List<string> Failed, List<string> Unrecorded)
    {
        public int Restored { get; set; }
    }

    /// <summary>
    /// The run's whole sequence, in named phases: lock the targets, register the journal, open it, start the
    /// providers, check the steady state, inject and hold, decide, roll back, check again, stop the providers,
    /// conclude. Once the journal is open, every later phase runs whatever an earlier one did.
    /// </summary>
    public async Task<RunOutcome> RunAsync(Plan plan, RunOptions options, Interruption interruption)
    {
        LockTargets(plan, options);
        await using var shared = await BeginSharedAsync(plan, options, interruption).ConfigureAwait(false);
        // A journal outside the state folder is registered in it first, so a plain `simian recover` finds it after a crash.
        var registration = options.RegisterIn?.Register(options.RunId, options.JournalPath);
        _observer.Phase($"journal: {options.JournalPath}");
        RunOutcome outcome;
        try
        {
            outcome = await RunJournaledAsync(plan, options, interruption, shared).ConfigureAwait(false);
        }
        catch (JournalWriteException) when (shared is not null)
        {
            // The journal could not even be started: nothing was changed, so nothing is left for anyone to recover.
            await EndSharedAsync(shared, leftNothing: true).ConfigureAwait(false);
            throw;
        }
        var leftNothing = outcome.NotRestored.Count == 0 && outcome.Unrecorded.Count == 0 && outcome.LeftInPlace.Count == 0;
        if (registration is not null && leftNothing)
        {
            options.RegisterIn!.Unregister(registration);
        }
        if (shared is not null) await EndSharedAsync(shared, leftNothing).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Phase "shared lock": the run registered in the team's state and its targets locked there; nothing is changed yet.</summary>
    private async Task<Shared.ISharedRun?> BeginSharedAsync(Plan plan, RunOptions options, Interruption interruption)
    {
        if (options.DryRun || options.Shared is not { } state) return null;
        var targets = Shared.LockTarget.Of(plan);
        _observer.Phase($"locking {targets.Count} target(s) in {state.Location}");
        return await state.BeginRunAsync(Shared.RunIdentity.Current(options.RunId, plan.Experiment.Name), targets,
            text => _observer.Warning(Redaction.Text(text)), interruption.Token).ConfigureAwait(false);
    }

    private async Task EndSharedAsync(Shared.ISharedRun shared, bool leftNothing)
    {
        foreach (var warning in await shared.EndAsync(leftNothing, CancellationToken.None).ConfigureAwait(false))
        {
            _observer.Warning(Redaction.Text(warning));
        }
    }

    /// <summary>Phase "lock": every selected resource, for the life of the run; one another run holds refuses this one.</summary>
    private static void LockTargets(Plan plan, RunOptions options)
    {
        if (options.DryRun || options.Locks is not { } locks) return;
        var busy = locks.TryAcquireAll(plan.Targets.SelectMany(t => t.Selected.Select(r => (t.Type, r))));
        if (busy.Count > 0) throw new RefusedException($"not running: held by another run in progress: {string.Join(", ", busy)}");
    }

    /// <summary>What one run holds between its phases.</summary>
    private sealed class RunState(Plan plan, RunOptions options, JournalWriter journal, SteadyStateMonitor monitor, Interruption interruption)
    {
        public Plan Plan { get; } = plan;
        public Experiment Experiment => Plan.Experiment;
        public RunOptions Options { get; } = options;
        public JournalWriter Journal { get; } = journal;
        public SteadyStateMonitor Monitor { get; } = monitor;
        public Interruption Interruption { get; } = interruption;
        /// <summary>Reversible changes made and not yet undone (kept alive while live).</summary>
        public List<Active> Active { get; } = [];
        /// <summary>Every change made, reversible or not.</summary>
        public List<Active> All { get; } = [];
        public List<Active> Helpers { get; } = [];
        public List<IAsyncDisposable> Scopes { get; } = [];
        /// <summary>Each provider's per-run state, by provider name: what its start-up returned.</summary>
        public Dictionary<string, object> Sessions { get; } = new(StringComparer.Ordinal);
        /// <summary>Undos at the end of a step's duration: what failed there, and what the journal could not record.</summary>
        public UndoResult StepEnds { get; } = new([], []);
        public string? Failure { get; set; }
        public bool RefusedBefore { get; set; }
        /// <summary>The run's part of the team's shared state, or null.</summary>
        public Shared.ISharedRun? Shared { get; init; }
    }

    private async Task<RunOutcome> RunJournaledAsync(Plan plan, RunOptions options, Interruption interruption, Shared.ISharedRun? shared)
    {
        var experiment = plan.Experiment;
        // Phase "journal": nothing is changed before this succeeds; a journal that cannot be created ends the run (exit 4).
        using var journal = JournalWriter.Create(options.JournalPath, time);
        journal.Mirror = shared?.Journal;
        journal.Started(options.RunId, experiment.Name, experiment.SourcePath, plan.Fingerprint, options.DryRun, RunContext(plan));
        await using var monitor = new SteadyStateMonitor(experiment.SteadyState, probes, journal, _observer, time);
        var run = new RunState(plan, options, journal, monitor, interruption) { Shared = shared };

        using var maxDuration = experiment.Safety.MaxDuration is { } max
            ? new CancellationTokenSource(max, time)
            : new CancellationTokenSource();
        // A journal that stops taking writes stops the experiment at once: nothing more may be changed unrecorded.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interruption.Token, maxDuration.Token, journal.Broken, monitor.Broken,
            shared?.Lost ?? CancellationToken.None);
        using var keepAliveStop = new CancellationTokenSource();
        var keepAlive = Task.Run(() => KeepAliveLoopAsync(run.Active, keepAliveStop.Token));

        await StartAndInjectAsync(run, stop.Token).ConfigureAwait(false);
        var (status, reason) = Verdict(run, maxDuration.IsCancellationRequested);
        var rollback = await RollbackAsync(run, status, reason).ConfigureAwait(false);
        await keepAliveStop.CancelAsync().ConfigureAwait(false);
        await keepAlive.ConfigureAwait(false);
        var steadyAfter = await SteadyAfterAsync(run, rollback).ConfigureAwait(false);
        if (steadyAfter == false && status == RunStatus.Completed)
        {
            status = RunStatus.Deviated;
            reason = "hypothesis deviated: the steady state did not return after the experiment";
        }
        await StopProvidersAsync(run, rollback).ConfigureAwait(false);
        return Conclude(run, status, reason, rollback, steadyAfter);
    }

    /// <summary>Phases "providers", "steady state before" and "inject and hold". Never throws: a failure is the run's verdict.</summary>
    private async Task StartAndInjectAsync(RunState run, CancellationToken stop)
    {
        try
        {
            await StartHelpersAsync(run, stop).ConfigureAwait(false);

            // Steady state before: a system that is already unhealthy is not experimented on.
            if (run.Experiment.SteadyState.Probes.Count > 0)
            {
                _observer.Phase("checking steady state before injecting");
                run.RefusedBefore = !await run.Monitor.RoundAsync("before", stop).ConfigureAwait(false);
            }
            if (!run.RefusedBefore && !stop.IsCancellationRequested)
            {
                run.Monitor.Start("during");
                run.Failure = await MethodAsync(run, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            run.Failure = FailureText(e);
        }
        finally
        {
            await run.Monitor.StopAsync().ConfigureAwait(false);
        }
        if (run.Failure is null && run.Journal.FirstFailure is not null) run.Failure = $"the journal could not be written ({run.Journal.FirstFailure})";
        if (run.Failure is null && run.Shared?.LostReason is { } lost) run.Failure = lost;
        if (run.Failure is null && run.Monitor.BrokenReason is { } broken) run.Failure = broken;
    }

    /// <summary>Phase "decide": how the experiment itself went, before rollback.</summary>
    private static (RunStatus Status, string Reason) Verdict(RunState run, bool timedOutByMaxDuration)
    {
        var interruption = run.Interruption;
        const string refusal = "not injecting: the steady state does not hold before the experiment; nothing was changed";
        if (interruption.Requested)
        {
            return (RunStatus.Interrupted, run.All.Count == 0
                ? $"interrupted by {interruption.Signal} before any change; nothing was changed"
                : $"interrupted by {interruption.Signal}");
        }
        if (run.Failure is not null) return (RunStatus.Aborted, run.Failure);
        if (run.RefusedBefore) return (RunStatus.Aborted, refusal);
        if (timedOutByMaxDuration) return (RunStatus.Aborted, $"aborted: safety.maxDuration ({Duration.Format(run.Experiment.Safety.MaxDuration!.Value)}) reached");
        if (run.Monitor.Deviated) return (RunStatus.Deviated, $"hypothesis deviated: {run.Monitor.DeviationDetail}");
        if (run.Options.DryRun) return (RunStatus.Completed, "DRY RUN — nothing was injected");
        return (RunStatus.Completed, "hypothesis held");
    }

    /// <summary>What rollback did, with the undos at the end of step durations folded in.</summary>
    private sealed record RollbackResult(int Restored, List<string> NotRestored, List<string> Unrecorded, List<string> Left);

    /// <summary>Phase "rollback": newest first, each undo from the journaled record. Never throws.</summary>
    private async Task<RollbackResult> RollbackAsync(RunState run, RunStatus status, string reason)
    {
        var experiment = run.Experiment;
        // Interruptions, failures and aborts always roll back; `rollback:` decides for a run that went to the end.
        var rollBack = status is RunStatus.Interrupted or RunStatus.Aborted || experiment.Rollback switch
        {
            RollbackMode.Always => true,
            RollbackMode.OnDeviation => run.Monitor.Deviated,
            _ => false,
        };
        List<Active> remaining;
        lock (run.Active) remaining = run.Active.ToList();
        var result = new RollbackResult(run.StepEnds.Restored, [.. run.StepEnds.Failed], [.. run.StepEnds.Unrecorded], []);
        run.Interruption.MarkRollingBack();
        // A fault with a duration was promised to last only that long: it ends whatever `rollback:` says.
        var toUndo = rollBack ? remaining : remaining.Where(a => a.Duration is not null).ToList();
        foreach (var a in remaining.Except(toUndo))
        {
            TryRecord(() => run.Journal.Left(a.Seq, $"rollback: {experiment.Rollback}"), a.What, result.Unrecorded);
            result.Left.Add(a.What);
        }
        if (toUndo.Count == 0) return result;
        _observer.Phase($"rolling back {toUndo.Count} change(s)");
        TryRecord(() => run.Journal.Note(JournalEventNames.Rollback, $"rolling back {toUndo.Count} change(s): {reason}"), null, result.Unrecorded);
        var undone = await UndoAllAsync(toUndo, run.Journal, run.Active, "rollback").ConfigureAwait(false);
        result.NotRestored.AddRange(undone.Failed);
        result.Unrecorded.AddRange(undone.Unrecorded);
        return result with { Restored = result.Restored + undone.Restored };
    }

    /// <summary>Phase "steady state after": only when everything was put back and nothing stopped the run.</summary>
    private async Task<bool?> SteadyAfterAsync(RunState run, RollbackResult rollback)
    {
        // Not after a refusal: the system was unhealthy before anything was done, and nothing was done.
        if (run.Experiment.SteadyState.Probes.Count == 0 || rollback.NotRestored.Count > 0 || run.Interruption.Requested || run.RefusedBefore) return null;
        _observer.Phase("checking steady state after rollback");
        return await SteadyAfterAsync(run.Monitor, run.Experiment.SteadyState).ConfigureAwait(false);
    }

    /// <summary>Phase "stop providers": the profile's helpers go last, after the check that may need them, whatever `rollback:` says.</summary>
    private async Task StopProvidersAsync(RunState run, RollbackResult rollback)
    {
        if (run.Helpers.Count > 0)
        {
            var result = await UndoAllAsync(run.Helpers, run.Journal, run.Helpers, "rollback").ConfigureAwait(false);
            rollback.NotRestored.AddRange(result.Failed);
            rollback.Unrecorded.AddRange(result.Unrecorded);
        }
        for (var i = run.Scopes.Count - 1; i >= 0; i--)
        {
            try { await run.Scopes[i].DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { _observer.Warning($"could not tear down a helper: {Redaction.Text(e.Message)}"); }
        }
    }

    /// <summary>Phase "conclude": the final status, the exit code, and the journal's <c>finished</c> line.</summary>
    private static RunOutcome Conclude(RunState run, RunStatus status, string reason, RollbackResult rollback, bool? steadyAfter)
    {
        var interruption = run.Interruption;
        var journal = run.Journal;
        // A signal during rollback (or the check after it) cannot cut it short, but it still stopped the run.
        if (status != RunStatus.Interrupted && interruption.Requested)
        {
            status = RunStatus.Interrupted;
            reason = $"interrupted by {interruption.Signal} during rollback ({reason})";
        }
        if (rollback.NotRestored.Count > 0)
        {
            status = RunStatus.RollbackFailed;
            reason = $"rollback incomplete: {rollback.NotRestored.Count} change(s) not undone; run `simian recover --journal {journal.Path}`";
        }
        else if (rollback.Unrecorded.Count > 0)
        {
            status = RunStatus.RollbackFailed;
            reason = $"rollback could not be recorded: the journal could not be written ({journal.FirstFailure}); {rollback.Unrecorded.Count} change(s) " +
                $"were undone but the journal does not say so. Free the space, then run `simian recover --journal {journal.Path}` (it finds them already clean)";
        }
        var exitCode = status switch
        {
            RunStatus.Completed => ExitCodes.Ok,
            RunStatus.Interrupted => interruption.ExitCode,
            RunStatus.RollbackFailed => ExitCodes.RollbackIncomplete,
            // Nothing was changed: the system was not healthy to begin with.
            RunStatus.Aborted when run.Failure is null && run.RefusedBefore => ExitCodes.Refused,
            // A fault that could not be read or applied, or a journal that could not be written, is a provider or
            // environment failure, even though everything was rolled back.
            RunStatus.Aborted when run.Failure is not null => ExitCodes.Provider,
            _ => ExitCodes.Deviated,
        };
        TryRecord(() => journal.Finished(RunOutcome.StatusText(status), exitCode, reason), null, []);
        return new RunOutcome
        {
            Status = status,
            ExitCode = exitCode,
            JournalPath = journal.Path,
            Reason = reason,
            Injected = run.All.Count,
            Restored = rollback.Restored,
            LeftInPlace = rollback.Left,
            NotRestored = rollback.NotRestored,
            Unrecorded = rollback.Unrecorded,
            Probes = run.Monitor.Stats(),
            SteadyAfter = steadyAfter,
            DryRun = run.Options.DryRun,
        };
    }

    /// <summary>The method, step by step (a parallel group's steps together); returns why it stopped early, or null.</summary>
    private async Task<string?> MethodAsync(RunState run, CancellationToken stop)
    {
        var experiment = run.Plan.Experiment;
        foreach (var unit in MethodUnits.Of(run.Plan.Method, sp => sp.Step))
        {
            if (stop.IsCancellationRequested) return null;
            if (run.Monitor.Deviated && experiment.SteadyState.AbortOnDeviation) return null;
            if (unit.Count == 1)
            {
                var (ended, reason) = await StepAsync(run, unit[0], stop).ConfigureAwait(false);
                if (ended) return reason;
                continue;
            }

            // A parallel group: its steps start together, each journaled before it changes anything and each with its
            // own duration. The first to fail stops the others; rollback then undoes all, newest change first.
            _observer.Phase($"starting {unit.Count} steps together: {string.Join(", ", unit.Select(u => u.Step.Name))}");
            using var group = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var results = await Task.WhenAll(unit.Select(async stepPlan =>
            {
                try
                {
                    var result = await StepAsync(run, stepPlan, group.Token).ConfigureAwait(false);
                    if (result.Ended) await group.CancelAsync().ConfigureAwait(false);
                    return result;
                }
                catch (OperationCanceledException) when (group.IsCancellationRequested)
                {
                    return (Ended: true, Reason: (string?)null);
                }
                catch
                {
                    // Whatever went wrong (a journal that cannot be written), the other steps stop holding now: the
                    // exception reaches the run only when every step of the group is over.
                    await group.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            })).ConfigureAwait(false);
            if (results.Any(r => r.Ended)) return results.Select(r => r.Reason).FirstOrDefault(r => r is not null);
        }
        return null;
    }

    /// <summary>One step: a pause, or a fault on each selected resource held for its duration. Ended: the method stops here.</summary>
    private async Task<(bool Ended, string? Reason)> StepAsync(RunState run, StepPlan stepPlan, CancellationToken stop)
    {
        var (plan, options, journal, monitor, active, all, stepEndFailures, sessions, interruption) =
            (run.Plan, run.Options, run.Journal, run.Monitor, run.Active, run.All, run.StepEnds, run.Sessions, run.Interruption);
        var experiment = plan.Experiment;
        var step = stepPlan.Step;
        journal.Step("start", step.Index, step.Name);
        if (step is PauseStep pause)
        {
            _observer.Phase($"pausing {Duration.Format(pause.PauseFor)}");
            await HoldAsync(pause.PauseFor, monitor, experiment.SteadyState.AbortOnDeviation, stop).ConfigureAwait(false);
            return (false, null);
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
            if (stop.IsCancellationRequested) return (true, null);
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
                return (true, $"step '{step.Name}' could not read {resource.Id} before changing it: {Redaction.Text(e.Message)}");
            }
            // The undo record is on disk before the change is made; a journal that cannot take it stops here.
            interruption.MarkChanged();
            var seq = journal.Intent(step.Name, fault.Name, target.Type, target.Name, resource, fault.Reversible, settings.Values, captured, stepPlan.Description);
            var record = new Active(seq, step.Name, target.Type, fault, context, captured, step.Duration) { NextKeepAlive = time.GetUtcNow() };
            lock (all) all.Add(record);
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
                lock (all) all.Remove(record);
                journal.ApplyFailed(seq, Redaction.Text(e.Message), notApplied: true);
                return (true, $"step '{step.Name}' could not be applied to {resource.Id}: {Redaction.Text(e.Message)} (nothing was changed there)");
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                journal.ApplyFailed(seq, Redaction.Text(e.Message));
                return (true, $"step '{step.Name}' failed on {resource.Id}: {Redaction.Text(e.Message)}");
            }
            journal.Applied(seq);
            record.Live = true;
        }
        if (step.Duration is { } hold)
        {
            _observer.Phase($"{step.Name}: holding {Duration.Format(hold)}");
            await HoldAsync(hold, monitor, experiment.SteadyState.AbortOnDeviation, stop).ConfigureAwait(false);
            if (stop.IsCancellationRequested || (monitor.Deviated && experiment.SteadyState.AbortOnDeviation)) return (true, null);
            // A step with a duration ends its own faults when the duration is over.
            _observer.Phase($"{step.Name}: duration over, ending the fault");
            var ended = await UndoAllAsync(stepFaults, journal, active, "duration").ConfigureAwait(false);
            lock (stepEndFailures)
            {
                stepEndFailures.Failed.AddRange(ended.Failed);
                stepEndFailures.Restored += ended.Restored;
                stepEndFailures.Unrecorded.AddRange(ended.Unrecorded);
            }
            if (ended.Failed.Count > 0 || ended.Unrecorded.Count > 0) return (true, null);
        }
        journal.Step("end", step.Index, step.Name);
        return (false, null);
    }

    /// <summary>Starts each provider's helpers (services, an embedded proxy); processes are journaled before they start.</summary>
    private async Task StartHelpersAsync(RunState run, CancellationToken stop)
    {
        var runId = run.Options.RunId;
        foreach (var (name, settings) in run.Experiment.Providers)
        {
            if (registry.Provider(name) is not IProviderLifecycle lifecycle) continue;
            var helperJournal = new HelperJournal(run.Journal, runId, settings, run.Helpers, run.Interruption, time);
            var session = await lifecycle.StartAsync(settings, new RunHelpers(runId, _observer, helperJournal), stop).ConfigureAwait(false);
            run.Scopes.Add(session);
            run.Sessions[name] = session;
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
            ["simianVersion"] = SimianVersion.Text,
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
            // A keep-alive already under way finishes first; after this, none starts (Live is checked inside the gate).
            await a.KeepAliveGate.WaitAsync().ConfigureAwait(false);
            a.KeepAliveGate.Release();
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

    /// <summary>
    /// Whether a renewal due at <paramref name="due"/> is sent on the tick at <paramref name="now"/>: once it is less
    /// than one tick away, never a tick late — so renewals are never further apart than the interval a fault asks for.
    /// </summary>
    public static bool KeepAliveDue(DateTimeOffset now, DateTimeOffset due, TimeSpan tick) => now + tick > due;

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
                    if (a.Fault is not IKeepAliveFault k || !a.Live || !KeepAliveDue(time.GetUtcNow(), a.NextKeepAlive, tick)) continue;
                    if (!await a.KeepAliveGate.WaitAsync(0, CancellationToken.None).ConfigureAwait(false)) continue;
                    try
                    {
                        if (!a.Live) continue;
                        a.NextKeepAlive = time.GetUtcNow() + k.KeepAliveInterval(a.Context);
                        await k.KeepAliveAsync(a.Context, a.Undo, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _observer.Warning($"keep-alive for {a.What} failed: {Redaction.Text(e.Message)}");
                    }
                    finally
                    {
                        a.KeepAliveGate.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
