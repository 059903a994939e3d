using Simian.Core.Journal;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Running;
using Simian.Core.Safety;

namespace Simian.Core.Tests.Fakes;

/// <summary>
/// Plans and runs a <c>test:thing</c> profile on a <see cref="SimulatedClock"/>, with fake faults and scripted probes:
/// holds, pauses, probe intervals, keep-alive ticks and safety.maxDuration all pass in simulated time, so durations
/// the tests check are exact and a 10 s hold costs milliseconds.
/// </summary>
public sealed class RunHarness : IDisposable
{
    private readonly TempDir _dir = new();

    public RunHarness(int things = 1)
    {
        World = new ThingWorld(ThingWorld.Many(things));
        World.Log.Time = Clock;
    }

    public SimulatedClock Clock { get; } = new();

    public ThingWorld World { get; }

    public CallLog Log => World.Log;

    public ScriptedProbeRunner Probes { get; set; } = ScriptedProbeRunner.AlwaysOk();

    public RecordingObserver Observer { get; } = new();

    public Interruption Interruption { get; } = new();

    public string JournalPath => _dir.File("journals/run.jsonl");

    public TargetLocks Locks => new(_dir.File("locks"));

    /// <summary>A state folder of the run's own, for registering journals kept outside it.</summary>
    public StatePaths State => new(_dir.File("state"));

    public Plan? Plan { get; private set; }

    /// <summary>How long the run took in simulated time.</summary>
    public TimeSpan Elapsed { get; private set; }

    public JournalState Journal => JournalState.Read(JournalPath);

    /// <summary>One probe checked every 20 ms; a deviation after <paramref name="tolerance"/> failures in a row.</summary>
    public static SteadyStateSpec Steady(bool abortOnDeviation = true, int tolerance = 2) =>
        new(TimeSpan.FromMilliseconds(20), tolerance, abortOnDeviation,
            [new CommandProbeSpec("health", "true", 0, TimeSpan.FromSeconds(1), "/")]);

    /// <summary>Probes that fail while a change of <paramref name="fault"/> is applied and not yet undone.</summary>
    public void UnhealthyWhile(string fault) =>
        Probes = new ScriptedProbeRunner(_ => Log.Lines("apply").Count(l => l.StartsWith($"apply {fault} ", StringComparison.Ordinal))
                                            <= Log.Lines("undo").Count(l => l.StartsWith($"undo {fault} ", StringComparison.Ordinal)));

    public async Task<RunOutcome> RunAsync(string method, SteadyStateSpec? steady = null, string extra = "",
        bool dryRun = false, int undoAttempts = 3, Func<Experiment, Experiment>? change = null, Func<RunOptions, RunOptions>? options = null)
    {
        var experiment = ThingProfiles.Load(World, ThingProfiles.Text(method: method, extra: extra));
        if (steady is not null) experiment = experiment with { SteadyState = steady };
        if (change is not null) experiment = change(experiment);
        Plan = await ThingProfiles.PlanAsync(World, experiment, Locks, Clock);
        var undo = new UndoExecutor(Clock, undoAttempts, TimeSpan.FromMilliseconds(1));
        var runner = new ExperimentRunner(World.Registry, Probes, Clock, Observer, undo);
        var started = Clock.GetUtcNow();
        var run = new RunOptions("run-1", JournalPath, dryRun);
        var outcome = await runner.RunAsync(Plan, options?.Invoke(run) ?? run, Interruption);
        Elapsed = Clock.GetUtcNow() - started;
        return outcome;
    }

    public void Dispose()
    {
        Interruption.Dispose();
        Clock.Dispose();
        _dir.Dispose();
    }
}
