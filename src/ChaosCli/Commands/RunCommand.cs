using System.CommandLine;
using System.Security.Cryptography;
using Simian.Cli.Logging;
using Simian.Cli.Output;
using Simian.Core;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Core.Safety;

namespace Simian.Cli.Commands;

/// <summary>
/// <c>simian run &lt;profile&gt;</c>: plan, approval, steady state, faults (journaled before they are made),
/// hold, rollback, steady state after, and a summary. Ctrl-C and SIGTERM roll back before exiting.
/// </summary>
public static class RunCommand
{
    public sealed record Options(string Profile, bool Yes, string? PlanFile, bool DryRun, string Output, string? Journal, long? Seed, bool Verbose, string? LogFile, string? JUnit = null,
        IReadOnlyList<string>? Parameters = null, string? State = null, string? StateEndpoint = null);

    public static Command Create(CliContext context)
    {
        var profile = new Argument<string>("profile") { Description = "Experiment profile" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Approve without asking (refused when the profile sets safety.requireApproval)" };
        var planFile = new Option<string?>("--plan") { Description = "Approved plan file (from `simian plan --out`); its fingerprint must match a fresh plan" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Do everything except inject faults" };
        var output = OutputFormat.CreateOption();
        var journal = new Option<string?>("--journal") { Description = "Write the journal here instead of the per-user state folder" };
        var seed = PlanCommand.SeedOption();
        var param = ProfileInput.ParamOption();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "More detail on stderr" };
        var logFile = new Option<string?>("--log-file") { Description = "Also write logs as compact JSON to this file" };
        var junit = new Option<string?>("--junit") { Description = "Write JUnit XML results to this file (one case per steady-state check, fault and rollback)" };
        var state = StateInput.StateOption();
        var stateEndpoint = StateInput.EndpointOption();
        var command = new Command("run", "Run an experiment: inject faults, watch the steady state, always roll back")
        {
            profile, yes, planFile, dryRun, output, journal, seed, verbose, logFile, junit, param, state, stateEndpoint,
        };
        command.SetAction(async (parse, ct) => await RunAsync(context, new Options(
            parse.GetValue(profile)!, parse.GetValue(yes), parse.GetValue(planFile), parse.GetValue(dryRun), parse.GetValue(output)!,
            parse.GetValue(journal), parse.GetValue(seed), parse.GetValue(verbose), parse.GetValue(logFile), parse.GetValue(junit),
            parse.GetValue(param), parse.GetValue(state), parse.GetValue(stateEndpoint)), ct).ConfigureAwait(false));
        return command.WithExamples("simian run samples/quickstart.yaml", "simian run chaos-profiles/zone-outage.yaml --plan zone.plan.json", "simian run chaos-profiles/chaos-monkey.yaml --yes --output json --junit results.xml");
    }

    public static async Task<int> RunAsync(CliContext context, Options options, CancellationToken cancellationToken)
    {
        var s = context.Services;
        var approved = options.PlanFile is null ? null : PlanJson.Read(options.PlanFile);
        if (approved is not null && options.Seed is { } explicitSeed && explicitSeed != approved.Seed)
        {
            throw new InvalidInputException($"--seed {explicitSeed} contradicts the approved plan's seed {approved.Seed}; drop --seed");
        }
        // The seed is chosen before the profile is read: it picks the parameters' values as well as the targets, so an
        // approved plan's seed picks the zone that was approved.
        var seed = approved?.Seed ?? options.Seed ?? s.NewSeed();
        var experiment = ProfileInput.Load(context, options.Profile, ProfileInput.Parameters([.. options.Parameters ?? []], seed));
        // Every file the run will write is checked before anything happens: a typo is exit 2, not a failure halfway.
        if (options.Journal is not null) OutputFile.Check(options.Journal, "--journal", mustNotExist: true);
        if (options.JUnit is not null) OutputFile.Check(options.JUnit, "--junit");
        if (options.LogFile is not null) OutputFile.CheckAppendable(options.LogFile, "--log-file");
        var state = StateInput.Resolve(context, options.State, options.StateEndpoint);
        // The state folder holds what a later recover obeys: it must be this user's alone (or is created so).
        state.Local.EnsureOwnerOnly(create: true);
        using var log = LogSetup.Create(context.Stderr, options.Verbose, options.LogFile);
        IRunObserver observer = new LogRunObserver(log, s.Time);
        // A live status line only for a person at a terminal; pipelines get plain lines.
        using var live = s.Terminal.IsInteractive ? new LiveStatus(observer, context.Stderr, s.Time, s.Terminal.ColorEnabled, () => s.Terminal.Width) : null;
        if (live is not null) observer = live;
        using var interruption = new Interruption();
        using var attached = s.Signals.Attach(interruption, context.Stderr);
        try
        {
            return await PlanApproveAndRunAsync(context, experiment, approved, options, seed, new SafeObserver(observer), interruption, state, live).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            // Stopped while planning or waiting for approval: nothing from the profile has run, nothing was changed.
            await context.Stderr.WriteLineAsync($"simian: interrupted by {interruption.Signal} before the experiment started; nothing was changed").ConfigureAwait(false);
            return interruption.ExitCode;
        }
    }

    private static async Task<int> PlanApproveAndRunAsync(CliContext context, Experiment experiment, PlanJson.Approved? approved, Options options,
        long seed, IRunObserver observer, Interruption interruption, StateInput.Resolved state, LiveStatus? live)
    {
        var s = context.Services;
        observer.Phase($"planning '{experiment.Name}' (resolving targets, read-only)");
        var plan = await PlanCommand.MakeAsync(context, experiment, seed, interruption.Token).ConfigureAwait(false);
        if (!options.DryRun) plan = await StateInput.CheckSharedLocksAsync(plan, state.Shared, interruption.Token).ConfigureAwait(false);
        if (!plan.Allowed)
        {
            await context.Stderr.WriteAsync(PlanText.Write(plan)).ConfigureAwait(false);
            throw new RefusedException($"refused by the safety guard: {string.Join("; ", plan.Guard.Where(g => !g.Passed).Select(g => g.Detail))}");
        }
        await ApproveAsync(context, plan, approved, options, interruption).ConfigureAwait(false);
        interruption.Token.ThrowIfCancellationRequested();
        live?.Start(redrawOnResize: true);

        // From here on the run's sequence is Core's (ExperimentRunner): locks, journal, providers, inject, hold, rollback.
        using var locks = new TargetLocks(s.LockNamespace);
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var journalPath = options.Journal is { } explicitJournal ? Path.GetFullPath(explicitJournal) : state.Local.NewJournalPath(experiment.Name, runId, s.Time.GetUtcNow());
        var runner = new ExperimentRunner(s.Registry, new Simian.Core.Probes.ProbeRunner(s.Http, s.Time), s.Time, observer, new UndoExecutor(s.Time, s.UndoAttempts));
        var run = new RunOptions(runId, journalPath, options.DryRun) { Locks = locks, RegisterIn = options.Journal is null ? null : state.Local, Shared = state.Shared };
        RunOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(plan, run, interruption).ConfigureAwait(false);
        }
        finally
        {
            // The run is over: the status line goes before anything else is printed, so none of it stays above the summary.
            live?.Stop();
        }
        if (options.JUnit is not null)
        {
            // A side output never replaces the run's own exit code.
            try
            {
                Json.WriteOwnerOnly(options.JUnit, JUnitReport.Write(outcome.JournalPath), "--junit");
            }
            catch (SimianException e)
            {
                observer.Warning($"{Redaction.Text(e.Message)}; the run's exit code is unchanged");
            }
        }
        if (outcome.NotRestored.Count > 0 || outcome.Unrecorded.Count > 0)
        {
            // What is left goes to stderr too, where a pipeline that keeps only stderr still sees it.
            foreach (var x in outcome.NotRestored) observer.Warning($"NOT RESTORED: {x}");
            foreach (var x in outcome.Unrecorded) observer.Warning($"restored, but the journal could not record it: {x}");
            observer.Warning(outcome.Reason);
        }
        await RunSummary.WriteAsync(context, plan, outcome, runId, options.Output, options.DryRun).ConfigureAwait(false);
        return outcome.ExitCode;
    }

    private static async Task ApproveAsync(CliContext context, Plan plan, PlanJson.Approved? approved, Options options, Interruption interruption)
    {
        var s = context.Services;
        if (approved is not null)
        {
            context.Stderr.Write(PlanText.Write(plan));
            if (approved.Fingerprint != plan.Fingerprint)
            {
                throw new RefusedException($"plan drift: the approved plan's fingerprint {approved.Fingerprint} does not match a fresh plan's {plan.Fingerprint} " +
                    "(the profile or the selected targets changed); nothing was changed. Plan and approve again.");
            }
            if (approved.Experiment != plan.Experiment.Name || !approved.Selection.SequenceEqual(PlanJson.Selection(plan), StringComparer.Ordinal))
            {
                throw new RefusedException("the approved plan file was edited: its experiment or the targets it lists are not what its fingerprint " +
                    $"approves ({string.Join("; ", PlanJson.Selection(plan))}); nothing was changed. Plan and approve again.");
            }
            return;
        }
        var requireApproval = plan.Experiment.Safety.RequireApproval;
        if (options.DryRun || (options.Yes && !requireApproval))
        {
            // Nobody is asked, so the log says exactly what is about to happen.
            context.Stderr.Write(PlanText.Write(plan));
            return;
        }
        if (s.Terminal.IsInteractive)
        {
            context.Stderr.Write(PlanText.Write(plan));
            if (options.Yes) context.Stderr.Write("\nThis profile sets safety.requireApproval, so --yes is not enough.");
            context.Stderr.Write($"\nRun experiment '{plan.Experiment.Name}' now? Type 'yes' to approve: ");
            context.Stderr.Flush();
            // Read on the side, so that Ctrl-C at the prompt ends the run at once instead of waiting for Enter.
            var line = Task.Factory.StartNew(s.Terminal.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await line.WaitAsync(interruption.Token).ConfigureAwait(false);
            var answer = line.Result?.Trim();
            if (!string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase))
            {
                throw new RefusedException("not approved; nothing was changed");
            }
            return;
        }
        if (requireApproval)
        {
            throw new RefusedException("this profile sets safety.requireApproval: --yes alone is not enough. Write a plan with " +
                $"`simian plan {plan.Experiment.SourcePath} --out plan.json`, have it reviewed, then `simian run {plan.Experiment.SourcePath} --plan plan.json`");
        }
        throw new RefusedException("not a terminal, so nobody can approve interactively: pass --yes, or --plan with an approved plan file; nothing was changed");
    }
}
