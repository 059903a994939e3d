using System.Text.Json.Nodes;
using Simian.Core.Journal;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Running;

public sealed class RecoveryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _path;

    public RecoveryTests() => _path = _dir.File("journals/crashed.jsonl");

    public void Dispose() => _dir.Dispose();

    private static int Intent(JournalWriter w, string step, string fault, string id, bool reversible = true) =>
        w.Intent(step, fault, "test:thing", "things", ThingWorld.R(id), reversible,
            new Dictionary<string, string> { ["endpoint"] = "http://control" }, new JsonObject { ["before"] = $"journaled-{id}" });

    /// <summary>A run that died mid-way: some changes applied, one only intended, one already undone, one irreversible.</summary>
    private JournalWriter WriteCrashedRun()
    {
        var w = JournalWriter.Create(_path, TimeProvider.System);
        w.Started("run-7", "things-test", "/p.yaml", "sha256:0", false);
        w.Applied(Intent(w, "a", "break", "t1"));
        w.Applied(Intent(w, "b", "slow", "t2"));
        var undone = Intent(w, "c", "break", "t5");
        w.Applied(undone);
        w.Undone(undone, "duration", UndoOutcome.Restored);
        w.Applied(Intent(w, "d", "kill", "t4", reversible: false));
        Intent(w, "e", "break", "t3");
        return w;
    }

    private static Recovery NewRecovery(ThingWorld world, RecordingObserver? observer = null) =>
        new(world.Registry, new UndoExecutor(TimeProvider.System, 2, TimeSpan.FromMilliseconds(1)), TimeProvider.System, observer ?? new RecordingObserver());

    [Fact]
    public async Task Pending_changes_are_undone_newest_first_from_the_journal_alone()
    {
        WriteCrashedRun().Dispose();
        var world = new ThingWorld();

        var report = await NewRecovery(world).RecoverAsync(_path);

        Assert.Equal(["undo break t3", "undo slow t2", "undo break t1"], world.Log.Lines());
        Assert.All(world.Log.Calls, c => Assert.Equal($"journaled-{c.ResourceId}", (string?)c.Data!["before"]));
        Assert.Equal(("things-test", "recovered", 3, 0, true), (report.Experiment, report.Outcome, report.Restored, report.NothingToDo, report.Complete));
    }

    [Fact]
    public async Task Undo_gets_the_settings_and_resource_facts_the_journal_kept()
    {
        WriteCrashedRun().Dispose();
        var seen = new List<UndoContext>();
        var world = new ThingWorld();
        var recording = new RecordingUndoFault("break", seen);
        var registry = new ProviderRegistry([new FakeProvider("test", [], new FakeTargetType("test:thing", recording, world.Slow))]);

        await new Recovery(registry, new UndoExecutor(TimeProvider.System, 1), TimeProvider.System, NullRunObserver.Instance).RecoverAsync(_path);

        Assert.Equal(["t3", "t1"], seen.Select(c => c.ResourceId));
        Assert.All(seen, c =>
        {
            Assert.Equal("run-7", c.RunId);
            Assert.Equal("http://control", c.Settings["endpoint"]);
            Assert.Equal($"/things/{c.ResourceId}", c.ResourceAttributes["home"]);
        });
    }

    [Fact]
    public async Task Recovery_records_what_it_undid_and_a_second_recover_does_nothing()
    {
        WriteCrashedRun().Dispose();
        var world = new ThingWorld();
        await NewRecovery(world).RecoverAsync(_path);
        var journal = JournalState.Read(_path);
        var bytes = File.ReadAllBytes(_path);

        var again = await NewRecovery(world).RecoverAsync(_path);

        Assert.Empty(journal.Pending);
        Assert.Equal(["recover", "recover", "duration", "recover"], journal.Changes.Where(c => c.Undone).OrderBy(c => c.Seq).Select(c => c.UndoneBy));
        Assert.Contains(journal.Events, e => e.Kind == "recovered");
        Assert.Equal(("nothing to undo", 0), (again.Outcome, again.Restored));
        Assert.Equal(3, world.Log.Calls.Count);
        Assert.Equal(bytes, File.ReadAllBytes(_path));
    }

    [Fact]
    public async Task Journal_of_a_run_still_alive_is_skipped()
    {
        using var live = WriteCrashedRun();
        var bytes = File.ReadAllBytes(_path);
        var world = new ThingWorld();

        var report = await NewRecovery(world).RecoverAsync(_path);

        Assert.Equal($"skipped: run run-7 (pid {Environment.ProcessId}) is still in progress", report.Outcome);
        Assert.Empty(world.Log.Calls);
        Assert.Equal(bytes, File.ReadAllBytes(_path));
    }

    [Fact]
    public async Task Undo_that_fails_stays_pending_for_the_next_recover()
    {
        WriteCrashedRun().Dispose();
        var world = new ThingWorld();
        world.Slow.UndoFailures = int.MaxValue;

        var first = await NewRecovery(world).RecoverAsync(_path);

        Assert.Equal(("incomplete", 2, false), (first.Outcome, first.Restored, first.Complete));
        Assert.Equal("b (slow) on t2: slow undo refused by t2", Assert.Single(first.Failed));
        var pending = Assert.Single(JournalState.Read(_path).Pending);
        Assert.Equal(("t2", "slow undo refused by t2"), (pending.ResourceId, pending.LastError));

        world.Slow.UndoFailures = 0;
        var second = await NewRecovery(world).RecoverAsync(_path);

        Assert.Equal(("recovered", 1), (second.Outcome, second.Restored));
        Assert.Empty(JournalState.Read(_path).Pending);
    }

    [Fact]
    public async Task Change_already_healed_counts_as_nothing_to_do()
    {
        WriteCrashedRun().Dispose();
        var world = new ThingWorld();
        world.Break.UndoResult = UndoOutcome.NothingToUndo;

        var report = await NewRecovery(world).RecoverAsync(_path);

        Assert.Equal((1, 2), (report.Restored, report.NothingToDo));
        Assert.Empty(JournalState.Read(_path).Pending);
    }

    [Fact]
    public async Task Fault_this_build_does_not_know_is_reported_and_the_rest_recovered()
    {
        using (var w = JournalWriter.Create(_path, TimeProvider.System))
        {
            w.Started("run-8", "x", "/p.yaml", "sha256:0", false);
            w.Applied(Intent(w, "a", "break", "t1"));
            w.Applied(Intent(w, "b", "melt", "t2"));
        }
        var world = new ThingWorld();

        var report = await NewRecovery(world).RecoverAsync(_path);

        Assert.False(report.Complete);
        Assert.Equal("b (melt) on t2: this build does not know fault 'melt' for 'test:thing'", Assert.Single(report.Failed));
        Assert.Equal(["undo break t1"], world.Log.Lines());
        Assert.Equal("t2", Assert.Single(JournalState.Read(_path).Pending).ResourceId);
    }

    [Fact]
    public async Task Faults_a_run_left_in_place_are_recovered_by_a_new_process()
    {
        using var h = new RunHarness(things: 2);
        var outcome = await h.RunAsync("  - {name: b, fault: break, target: things}\n  - {name: s, fault: slow, target: things}\n", extra: "rollback: never\n");
        Assert.Equal(4, outcome.LeftInPlace.Count);
        var fresh = new ThingWorld();

        var report = await NewRecovery(fresh).RecoverAsync(h.JournalPath);

        Assert.Equal(["undo slow t2", "undo slow t1", "undo break t2", "undo break t1"], fresh.Log.Lines());
        Assert.Equal(4, report.Restored);
        Assert.Empty(h.Journal.Pending);
    }

    private sealed class RecordingUndoFault(string name, List<UndoContext> seen) : IFault
    {
        public string Name => name;
        public string Summary => name;
        public bool Reversible => true;
        public void ValidateParams(Simian.Core.Yaml.YMapping parameters, Simian.Core.Diagnostics.DiagnosticBag diagnostics) { }
        public string Describe(Simian.Core.Yaml.YMapping parameters, TimeSpan? duration) => name;
        public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
        {
            seen.Add(context);
            return Task.FromResult(UndoOutcome.Restored);
        }
    }
}
