using System.Text.Json.Nodes;
using Simian.Core.Journal;
using Simian.Core.Planning;
using Simian.Core.Probes;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Core.Running;

public sealed record RunOptions(string RunId, string JournalPath, bool DryRun);

/// <summary>
/// Runs an approved plan: steady state before, each fault journaled before it is injected, holds with
/// background probing, rollback in reverse order, steady state after. The runner, not the faults, owns the
/// journal, the timing and the rollback order.
/// </summary>
public sealed class ExperimentRunner(ProviderRegistry registry, IProbeRunner probes, TimeProvider time, IRunObserver observer, UndoExecutor undo)
{
    private sealed record Active(int Seq, FaultStep Step, IFault Fault, FaultContext Context, JsonObject Undo)
    {
        public DateTimeOffset NextKeepAlive { get; set; }

        /// <summary>Kept alive only between a successful apply and the start of its undo.</summary>
        public volatile bool Live;
    }

    public async Task<RunOutcome> RunAsync(Plan plan, RunOptions options, Interruption interruption)
    {
        var experiment = plan.Experiment;
        using var journal = JournalWriter.Create(options.JournalPath, time);
        journal.Started(options.RunId, experiment.Name, experiment.SourcePath, plan.Fingerprint, options.DryRun, RunContext(plan));
        await using var monitor = new SteadyStateMonitor(experiment.SteadyState, probes, journal, observer, time);

        // Steady state before: a system that is already unhealthy is not experimented on.
        if (experiment.SteadyState.Probes.Count > 0)
        {
            observer.Phase("checking steady state before injecting");
            if (!await monitor.RoundAsync("before", interruption.Token).ConfigureAwait(false))
            {
                const string refusal = "not injecting: the steady state does not hold before the experiment; nothing was changed";
                journal.Finished("aborted", ExitCodes.Refused, refusal);
                return new RunOutcome { Status = RunStatus.Aborted, ExitCode = ExitCodes.Refused, JournalPath = journal.Path, Reason = refusal, Probes = monitor.Stats() };
            }
        }

        var active = new List<Active>();
        var all = new List<Active>();
        using var maxDuration = experiment.Safety.MaxDuration is { } max
            ? new CancellationTokenSource(max, time)
            : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interruption.Token, maxDuration.Token);
        using var keepAliveStop = new CancellationTokenSource();
        var keepAlive = Task.Run(() => KeepAliveLoopAsync(active, keepAliveStop.Token));
        string? failure = null;
        var stepEndFailures = new List<string>();

        monitor.Start("during");
        try
        {
            foreach (var stepPlan in plan.Method)
            {
                if (stop.IsCancellationRequested) break;
                if (monitor.Deviated && experiment.SteadyState.AbortOnDeviation) break;
                var step = stepPlan.Step;
                journal.Step("start", step.Index, step.Name);
                if (step is PauseStep pause)
                {
                    observer.Phase($"pausing {Duration.Format(pause.PauseFor)}");
                    await HoldAsync(pause.PauseFor, monitor, experiment.SteadyState.AbortOnDeviation, stop.Token).ConfigureAwait(false);
                    continue;
                }
                var faultStep = (FaultStep)step;
                var target = plan.Target(faultStep.Target);
                var fault = registry.Fault(target.Type, faultStep.Fault)!;
                var settings = experiment.Providers.GetValueOrDefault(target.Type.Split(':')[0]) ?? ProviderSettings.Empty(target.Type.Split(':')[0]);
                var stepFaults = new List<Active>();
                if (target.Selected.Count == 0) observer.Warning($"step '{step.Name}': target '{target.Name}' selected nothing; nothing to inject");
                foreach (var resource in target.Selected)
                {
                    if (stop.IsCancellationRequested) break;
                    var context = new FaultContext(options.RunId, step.Name, resource, faultStep.Params, step.Duration, settings, time);
                    if (options.DryRun)
                    {
                        observer.Phase($"[dry run] would {stepPlan.Description} on {resource.Id}");
                        journal.Note("would-apply", $"{step.Name}: {stepPlan.Description} on {resource.Id}");
                        continue;
                    }
                    observer.Phase($"{step.Name}: {stepPlan.Description} on {resource.Id}");
                    JsonObject captured;
                    try
                    {
                        captured = await fault.CaptureAsync(context, stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                    {
                        failure = $"step '{step.Name}' could not read {resource.Id} before changing it: {Redaction.Text(e.Message)}";
                        break;
                    }
                    // The undo record is on disk before the change is made.
                    var seq = journal.Intent(step.Name, fault.Name, target.Type, target.Name, resource, fault.Reversible, settings.Values, captured, stepPlan.Description);
                    var record = new Active(seq, faultStep, fault, context, captured) { NextKeepAlive = time.GetUtcNow() };
                    all.Add(record);
                    if (fault.Reversible)
                    {
                        lock (active) active.Add(record);
                        stepFaults.Add(record);
                    }
                    try
                    {
                        await fault.ApplyAsync(context, captured, stop.Token).ConfigureAwait(false);
                        journal.Applied(seq);
                        record.Live = true;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                    {
                        journal.ApplyFailed(seq, Redaction.Text(e.Message));
                        failure = $"step '{step.Name}' failed on {resource.Id}: {Redaction.Text(e.Message)}";
                        break;
                    }
                }
                if (failure is not null || stop.IsCancellationRequested) break;
                if (step.Duration is { } hold)
                {
                    observer.Phase($"{step.Name}: holding {Duration.Format(hold)}");
                    await HoldAsync(hold, monitor, experiment.SteadyState.AbortOnDeviation, stop.Token).ConfigureAwait(false);
                    if (stop.IsCancellationRequested || (monitor.Deviated && experiment.SteadyState.AbortOnDeviation)) break;
                    // A step with a duration ends its own faults when the duration is over.
                    observer.Phase($"{step.Name}: duration over, ending the fault");
                    stepEndFailures.AddRange(await UndoAllAsync(stepFaults, journal, active, "duration").ConfigureAwait(false));
                    if (stepEndFailures.Count > 0) break;
                }
                journal.Step("end", step.Index, step.Name);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            await monitor.StopAsync().ConfigureAwait(false);
        }

        var interrupted = interruption.Requested;
        var timedOut = !interrupted && maxDuration.IsCancellationRequested;
        var deviated = monitor.Deviated;
        string reason;
        RunStatus status;
        if (interrupted) { status = RunStatus.Interrupted; reason = $"interrupted by {interruption.Signal}"; }
        else if (failure is not null) { status = RunStatus.Aborted; reason = failure; }
        else if (timedOut) { status = RunStatus.Aborted; reason = $"aborted: safety.maxDuration ({Duration.Format(experiment.Safety.MaxDuration!.Value)}) reached"; }
        else if (deviated) { status = RunStatus.Deviated; reason = $"hypothesis deviated: {monitor.DeviationDetail}"; }
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
        var notRestored = new List<string>(stepEndFailures);
        var left = new List<string>();
        interruption.MarkRollingBack();
        // A fault with a duration was promised to last only that long: it ends whatever `rollback:` says.
        var toUndo = rollBack ? remaining : remaining.Where(a => a.Step.Duration is not null).ToList();
        foreach (var a in remaining.Except(toUndo))
        {
            journal.Left(a.Seq, $"rollback: {experiment.Rollback}");
            left.Add($"{a.Step.Name} on {a.Context.Resource.Id}");
        }
        if (toUndo.Count > 0)
        {
            observer.Phase($"rolling back {toUndo.Count} change(s)");
            journal.Note("rollback", $"rolling back {toUndo.Count} change(s): {reason}");
            notRestored.AddRange(await UndoAllAsync(toUndo, journal, active, "rollback").ConfigureAwait(false));
        }
        await keepAliveStop.CancelAsync().ConfigureAwait(false);
        await keepAlive.ConfigureAwait(false);

        bool? steadyAfter = null;
        if (experiment.SteadyState.Probes.Count > 0 && notRestored.Count == 0 && !interruption.Requested)
        {
            observer.Phase("checking steady state after rollback");
            steadyAfter = await SteadyAfterAsync(monitor, experiment.SteadyState).ConfigureAwait(false);
            if (steadyAfter == false && status == RunStatus.Completed)
            {
                status = RunStatus.Deviated;
                reason = "hypothesis deviated: the steady state did not return after the experiment";
            }
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
        var exitCode = status switch
        {
            RunStatus.Completed => ExitCodes.Ok,
            RunStatus.Interrupted => interruption.ExitCode,
            RunStatus.RollbackFailed => ExitCodes.RollbackIncomplete,
            // A fault that could not be read or applied is a provider failure, even though it was rolled back.
            RunStatus.Aborted when failure is not null => ExitCodes.Provider,
            _ => ExitCodes.Deviated,
        };
        journal.Finished(RunOutcome.StatusText(status), exitCode, reason);
        var injected = all.Count;
        return new RunOutcome
        {
            Status = status,
            ExitCode = exitCode,
            JournalPath = journal.Path,
            Reason = reason,
            Injected = injected,
            Restored = all.Count(a => a.Fault.Reversible) - notRestored.Count - left.Count,
            LeftInPlace = left,
            NotRestored = notRestored,
            Probes = monitor.Stats(),
            SteadyAfter = steadyAfter,
        };
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

    /// <summary>Undoes in reverse order of injection; returns what could not be undone.</summary>
    private async Task<List<string>> UndoAllAsync(List<Active> faults, JournalWriter journal, List<Active> active, string by)
    {
        var failed = new List<string>();
        foreach (var a in faults.OrderByDescending(f => f.Seq))
        {
            a.Live = false;
            var ctx = new UndoContext(a.Context.RunId, a.Context.Resource.Id, a.Context.Resource.Attributes, a.Undo, a.Context.Settings.Values, time);
            try
            {
                var outcome = await undo.UndoAsync(a.Fault, ctx).ConfigureAwait(false);
                journal.Undone(a.Seq, by, outcome);
                observer.Phase($"restored {a.Step.Name} on {a.Context.Resource.Id}");
            }
            catch (Exception e)
            {
                var message = Redaction.Text(e.Message);
                journal.UndoFailed(a.Seq, message);
                observer.Warning($"could not undo {a.Step.Name} on {a.Context.Resource.Id}: {message}");
                failed.Add($"{a.Step.Name} on {a.Context.Resource.Id}: {message}");
            }
            // Out of the active set either way: a failed undo has used its retries and must not be retried (and
            // counted) again by the final rollback, nor kept alive; the journal leaves it to recover.
            lock (active) active.Remove(a);
        }
        return failed;
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
                        observer.Warning($"keep-alive for {a.Step.Name} on {a.Context.Resource.Id} failed: {Redaction.Text(e.Message)}");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
