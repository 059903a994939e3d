using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Simian.Core.Journal;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Journal;

/// <summary>
/// The one journal model: what the writer writes, the reader reads back typed; journals from before the format was
/// versioned and journals from a newer simian are read without loss; recover refuses what it cannot understand.
/// </summary>
public sealed class JournalFormatTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly string _path;

    public JournalFormatTests() => _path = _dir.File("run.jsonl");

    public void Dispose() => _dir.Dispose();

    private static Recovery NewRecovery(ThingWorld world) =>
        new(world.Registry, new UndoExecutor(TimeProvider.System, 1, TimeSpan.FromMilliseconds(1)), TimeProvider.System, new RecordingObserver());

    private static string Line(JsonObject o) => o.ToJsonString() + "\n";

    private static JsonObject Intent(int seq, string id) => new()
    {
        ["event"] = "intent", ["at"] = "2026-12-02T09:00:01.0000000+00:00", ["seq"] = seq, ["step"] = "s", ["fault"] = "break",
        ["targetType"] = "test:thing", ["target"] = "things",
        ["resource"] = new JsonObject { ["id"] = id, ["attributes"] = new JsonObject { ["home"] = $"/things/{id}" } },
        ["reversible"] = true, ["settings"] = new JsonObject(), ["undo"] = new JsonObject { ["before"] = $"journaled-{id}" },
    };

    [Fact]
    public void Every_event_the_writer_writes_reads_back_as_its_typed_record()
    {
        using (var w = JournalWriter.Create(_path, _time))
        {
            w.Started("run-1", "exp", "/p.yaml", "sha256:abc", dryRun: false, pid: 77);
            w.Step("start", 0, "s");
            var seq = w.Intent("s", "break", "test:thing", "things", new Resource { Id = "t1", Label = "thing one" }, true,
                new Dictionary<string, string> { ["endpoint"] = "http://x" }, new JsonObject { ["before"] = "b" }, "break t1");
            w.Applied(seq);
            _time.Advance(TimeSpan.FromSeconds(2));
            w.Probe("during", "api", ok: false, 12.3456, "status 500");
            w.Deviation("api", "probe 'api' failed 1 times in a row: status 500");
            w.Note(JournalEventNames.Rollback, "rolling back 1 change(s)");
            w.UndoFailed(seq, "timed out");
            w.Undone(seq, "rollback", UndoOutcome.Restored);
            w.Left(seq, "kept for the test");
            w.ApplyFailed(seq, "refused", notApplied: true);
            w.Finished("deviated", 1, "the hypothesis did not hold");
        }

        var state = JournalState.Read(_path);

        Assert.Equal(JournalState.FormatVersion, state.Format);
        Assert.Equal(("run-1", "exp", 77, "sha256:abc"), (state.RunId, state.Experiment, state.Pid, state.Fingerprint));
        Assert.Equal(
            [typeof(RunStarted), typeof(StepMarked), typeof(ChangeIntended), typeof(ChangeApplied), typeof(ProbeChecked), typeof(NoteEvent), typeof(NoteEvent),
             typeof(ChangeUndoFailed), typeof(ChangeUndone), typeof(ChangeLeft), typeof(ChangeApplyFailed), typeof(RunFinished)],
            state.Events.Select(e => e.GetType()));
        var probe = Assert.Single(state.All<ProbeChecked>());
        Assert.Equal(("during", "api", false, 12.346, "status 500"), (probe.Phase, probe.Probe, probe.Ok, probe.LatencyMs, probe.Detail));
        Assert.Equal(_time.GetUtcNow(), probe.At);
        var deviation = state.All<NoteEvent>().First();
        Assert.Equal((JournalEventNames.Deviation, "api"), (deviation.Kind, deviation.Probe));
        var change = Assert.Single(state.Changes);
        Assert.Equal(("t1", "thing one", "http://x", "b"), (change.ResourceId, change.ResourceLabel, change.Settings["endpoint"], (string?)change.Undo["before"]));
        Assert.Equal("break t1", change.Intent.Description);
        Assert.True(change.Applied);
        Assert.Equal(("rollback", "restored", "timed out", "kept for the test", "refused"), (change.UndoneBy, change.UndoOutcome, change.UndoError, change.LeftReason, change.ApplyError));
        Assert.Equal(("deviated", 1), (state.Status, state.Finish!.ExitCode));
    }

    [Fact]
    public async Task A_journal_from_before_the_format_was_versioned_is_read_and_recovered()
    {
        // Written by simian before "journal": 1 existed (no version, no probe on the deviation).
        File.WriteAllText(_path,
            Line(new JsonObject { ["event"] = "started", ["at"] = "2026-12-02T09:00:00.0000000+00:00", ["runId"] = "old", ["experiment"] = "e", ["pid"] = 1, ["dryRun"] = false })
            + Line(Intent(1, "t1"))
            + Line(new JsonObject { ["event"] = "applied", ["at"] = "2026-12-02T09:00:01.0000000+00:00", ["seq"] = 1 })
            + Line(new JsonObject { ["event"] = "deviation", ["at"] = "2026-12-02T09:00:02.0000000+00:00", ["message"] = "probe 'api' failed" }));
        var state = JournalState.Read(_path);
        Assert.Equal(0, state.Format);
        Assert.Null(state.All<NoteEvent>().Single().Probe);

        var world = new ThingWorld();
        var report = await NewRecovery(world).RecoverAsync(_path);

        Assert.Equal(("recovered", 1), (report.Outcome, report.Restored));
        Assert.Equal(["undo break t1"], world.Log.Lines());
    }

    [Fact]
    public async Task Fields_and_events_a_newer_simian_adds_are_kept_or_ignored_but_never_break_the_reader()
    {
        var intent = Intent(1, "t1");
        intent["blastRadius"] = new JsonObject { ["zone"] = "eu-west-1a" };
        File.WriteAllText(_path,
            Line(new JsonObject { ["event"] = "started", ["at"] = "2026-12-02T09:00:00.0000000+00:00", ["journal"] = 1, ["runId"] = "r", ["experiment"] = "e", ["pid"] = 1, ["future"] = new JsonArray(1, 2) })
            + Line(intent)
            + Line(new JsonObject { ["event"] = "applied", ["at"] = "2026-12-02T09:00:01.0000000+00:00", ["seq"] = 1, ["took"] = 3.5 })
            + Line(new JsonObject { ["event"] = "zone-cut", ["at"] = "2026-12-02T09:00:02.0000000+00:00", ["message"] = "eu-west-1a isolated" }));

        var state = JournalState.Read(_path);

        var other = Assert.IsType<OtherEvent>(state.Events[^1]);
        Assert.Equal(("zone-cut", "eu-west-1a isolated"), (other.Kind, other.Message));
        Assert.True(Assert.Single(state.Changes).Applied);
        var world = new ThingWorld();
        Assert.Equal(1, (await NewRecovery(world).RecoverAsync(_path)).Restored);
    }

    [Fact]
    public async Task Recover_refuses_a_journal_written_in_a_newer_format_and_touches_nothing()
    {
        File.WriteAllText(_path,
            Line(new JsonObject { ["event"] = "started", ["at"] = "2026-12-02T09:00:00.0000000+00:00", ["journal"] = JournalState.FormatVersion + 1, ["runId"] = "r", ["experiment"] = "e", ["pid"] = 1 })
            + Line(Intent(1, "t1")));
        var before = File.ReadAllBytes(_path);
        var world = new ThingWorld();

        var report = await NewRecovery(world).RecoverAsync(_path);

        Assert.False(report.Complete);
        Assert.Contains($"journal format {JournalState.FormatVersion + 1}", Assert.Single(report.Failed));
        Assert.Empty(world.Log.Calls);
        Assert.Equal(before, File.ReadAllBytes(_path));
    }

    [Fact]
    public void An_event_without_a_readable_time_sits_just_after_the_one_before()
    {
        File.WriteAllText(_path,
            Line(new JsonObject { ["event"] = "started", ["at"] = "2026-12-02T09:00:00.0000000+00:00", ["runId"] = "r" })
            + Line(new JsonObject { ["event"] = "step", ["at"] = "2026-12-02T09:00:05.0000000+00:00", ["phase"] = "start", ["name"] = "s" })
            + Line(new JsonObject { ["event"] = "step", ["at"] = "not a time", ["phase"] = "end", ["name"] = "s" }));

        var steps = JournalState.Read(_path).All<StepMarked>().ToList();

        Assert.Equal(steps[0].At, steps[1].At);
    }

    [Fact]
    public void The_first_line_not_being_an_event_is_told_apart_from_a_torn_last_line()
    {
        File.WriteAllText(_path, "name,age\n" + Line(new JsonObject { ["event"] = "started", ["at"] = "2026-12-02T09:00:00.0000000+00:00" }));
        var foreign = JournalState.Read(_path);
        File.WriteAllText(_path, Line(new JsonObject { ["event"] = "started", ["at"] = "2026-12-02T09:00:00.0000000+00:00" }) + "{\"event\":\"pro");
        var torn = JournalState.Read(_path);

        Assert.Equal((true, false, 1), (foreign.FirstLineUnreadable, foreign.TornLastLine, foreign.BadLines));
        Assert.Equal((false, true, 1), (torn.FirstLineUnreadable, torn.TornLastLine, torn.BadLines));
    }
}
