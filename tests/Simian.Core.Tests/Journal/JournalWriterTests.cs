using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Simian.Core.Journal;
using Simian.Core.Providers;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Journal;

public sealed class JournalWriterTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero));
    private readonly string _path;

    public JournalWriterTests() => _path = _dir.File("journals/run.jsonl");

    public void Dispose() => _dir.Dispose();

    private static readonly Resource Thing = new()
    {
        Id = "t1",
        Label = "the first thing",
        Attributes = new Dictionary<string, string> { ["pid"] = "42" },
    };

    private int Intent(JournalWriter w, string step = "s", bool reversible = true) =>
        w.Intent(step, "break", "test:thing", "things", Thing, reversible,
            new Dictionary<string, string> { ["endpoint"] = "http://x" }, new JsonObject { ["before"] = "b" });

    private string LastEvent() => JournalState.Read(_path).Events[^1].Kind;

    [Fact]
    public void Every_event_can_be_read_back_by_another_reader_as_soon_as_the_call_returns()
    {
        using var w = JournalWriter.Create(_path, _time);

        w.Started("run-1", "exp", "/p.yaml", "sha256:abc", dryRun: false);
        Assert.Equal("started", LastEvent());
        var seq = Intent(w);
        Assert.Equal("intent", LastEvent());
        w.Applied(seq);
        Assert.Equal("applied", LastEvent());
        w.Step("start", 0, "s");
        Assert.Equal("step", LastEvent());
        w.Probe("during", "api", true, 12.3456, "ok");
        Assert.Equal("probe", LastEvent());
        w.ApplyFailed(seq, "boom");
        Assert.Equal("apply-failed", LastEvent());
        w.UndoFailed(seq, "nope");
        Assert.Equal("undo-failed", LastEvent());
        w.Undone(seq, "rollback", UndoOutcome.Restored);
        Assert.Equal("undone", LastEvent());
        w.Left(seq, "rollback: Never");
        Assert.Equal("left", LastEvent());
        w.Note("deviation", "probe failed");
        Assert.Equal("deviation", LastEvent());
        w.Finished("completed", 0, "hypothesis held");
        Assert.Equal("finished", LastEvent());

        Assert.Equal(11, File.ReadAllLines(_path).Length);
    }

    [Fact]
    public void Events_record_what_recover_needs()
    {
        using (var w = JournalWriter.Create(_path, _time))
        {
            w.Started("run-1", "exp", "/p.yaml", "sha256:abc", dryRun: true);
            Intent(w);
        }

        var state = JournalState.Read(_path);

        Assert.Equal(("run-1", "exp", "sha256:abc", Environment.ProcessId, true), (state.RunId, state.Experiment, state.Fingerprint, state.Pid, state.DryRun));
        Assert.Equal(_time.GetUtcNow(), state.StartedAt);
        var change = Assert.Single(state.Changes);
        Assert.Equal((1, "s", "break", "test:thing", "things", "t1", "the first thing"),
            (change.Seq, change.Step, change.Fault, change.TargetType, change.Target, change.ResourceId, change.ResourceLabel));
        Assert.Equal("42", change.ResourceAttributes["pid"]);
        Assert.Equal("http://x", change.Settings["endpoint"]);
        Assert.Equal("b", (string?)change.Undo["before"]);
        Assert.True(change.Reversible);
        Assert.False(change.Applied);
    }

    [Fact]
    public void Intents_get_increasing_sequence_numbers()
    {
        using var w = JournalWriter.Create(_path, _time);

        Assert.Equal([1, 2, 3], new[] { Intent(w), Intent(w), Intent(w) });
    }

    [Fact]
    public void Journal_is_readable_only_by_its_owner_and_leaves_no_lock_file_beside_it()
    {
        using var w = JournalWriter.Create(_path, _time);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path));
        Assert.False(File.Exists(_path + ".lock"));
    }

    [Fact]
    public void Create_refuses_to_overwrite_an_existing_journal()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllText(_path, "{\"event\":\"started\",\"runId\":\"old\"}\n");

        Assert.Throws<JournalWriteException>(() => JournalWriter.Create(_path, _time));

        Assert.Equal("old", JournalState.Read(_path).RunId);
    }

    [Fact]
    public void Failed_create_does_not_leave_the_journal_looking_alive()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllText(_path, "{\"event\":\"started\",\"runId\":\"old\"}\n");
        Assert.Throws<JournalWriteException>(() => JournalWriter.Create(_path, _time));

        using var reopened = JournalWriter.TryOpenExisting(_path, _time);

        Assert.NotNull(reopened);
    }

    [Fact]
    public void Open_existing_returns_null_while_the_writer_is_alive()
    {
        var w = JournalWriter.Create(_path, _time);
        w.Started("run-1", "exp", "/p.yaml", "sha256:abc", false);

        Assert.Null(JournalWriter.TryOpenExisting(_path, _time));

        w.Dispose();
        using var reopened = JournalWriter.TryOpenExisting(_path, _time);
        Assert.NotNull(reopened);
        Assert.Null(JournalWriter.TryOpenExisting(_path, _time));
    }

    [Fact]
    public void Torn_last_line_is_ignored_by_the_reader()
    {
        using (var w = JournalWriter.Create(_path, _time))
        {
            w.Started("run-1", "exp", "/p.yaml", "sha256:abc", false);
            w.Applied(Intent(w));
        }
        File.AppendAllText(_path, "{\"event\":\"undone\",\"seq\":1,\"by\":\"rollb");

        var state = JournalState.Read(_path);

        Assert.Equal(1, state.BadLines);
        Assert.Equal(3, state.Events.Count);
        var change = Assert.Single(state.Changes);
        Assert.True(change.Applied);
        Assert.False(change.Undone);
        Assert.Single(state.Pending);
    }

    [Fact]
    public void Appending_after_a_torn_line_starts_a_fresh_line()
    {
        using (var w = JournalWriter.Create(_path, _time))
        {
            w.Applied(Intent(w));
        }
        File.AppendAllText(_path, "{\"event\":\"und");

        using (var w = JournalWriter.TryOpenExisting(_path, _time)!)
        {
            w.Undone(1, "recover", UndoOutcome.Restored);
        }

        var state = JournalState.Read(_path);
        Assert.Equal(1, state.BadLines);
        Assert.True(Assert.Single(state.Changes).Undone);
        Assert.Equal("recover", state.Changes[0].UndoneBy);
    }

    [Fact]
    public void Reader_skips_lines_that_are_not_objects()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllText(_path, "[1,2]\n\n42\n{\"event\":\"finished\",\"status\":\"completed\"}\nnot json\n");

        var state = JournalState.Read(_path);

        Assert.Equal(3, state.BadLines);
        Assert.Equal("completed", state.Status);
    }

    [Fact]
    public void Pending_lists_reversible_changes_not_yet_undone_newest_first()
    {
        using (var w = JournalWriter.Create(_path, _time))
        {
            var applied = Intent(w, "applied");
            w.Applied(applied);
            var irreversible = Intent(w, "irreversible", reversible: false);
            w.Applied(irreversible);
            var undone = Intent(w, "undone");
            w.Applied(undone);
            w.Undone(undone, "rollback", UndoOutcome.Restored);
            var undoFailed = Intent(w, "undo-failed");
            w.Applied(undoFailed);
            w.UndoFailed(undoFailed, "still broken");
            var applyFailed = Intent(w, "apply-failed");
            w.ApplyFailed(applyFailed, "half done?");
            var left = Intent(w, "left");
            w.Applied(left);
            w.Left(left, "rollback: Never");
            Intent(w, "intent-only");
        }

        var state = JournalState.Read(_path);

        // A change whose apply failed, or whose apply never reported, may still have been made.
        Assert.Equal(["intent-only", "left", "apply-failed", "undo-failed", "applied"], state.Pending.Select(c => c.Step));
        Assert.Equal("still broken", state.Changes.Single(c => c.Step == "undo-failed").LastError);
        Assert.Equal("rollback: Never", state.Changes.Single(c => c.Step == "left").LeftReason);
    }

    [Fact]
    public void Each_line_carries_the_time_from_the_time_provider()
    {
        using var w = JournalWriter.Create(_path, _time);
        w.Started("run-1", "exp", "/p.yaml", "sha256:abc", false);
        _time.Advance(TimeSpan.FromMinutes(5));
        w.Finished("completed", 0, "ok");

        var events = JournalState.Read(_path).Events;

        Assert.Equal(["2025-05-06T07:08:09.0000000+00:00", "2025-05-06T07:13:09.0000000+00:00"], events.Select(e => e.At!.Value.ToString("O")));
    }

    [Fact]
    public void Lines_are_utf8_json_objects_one_per_line()
    {
        using (var w = JournalWriter.Create(_path, _time))
        {
            w.Note("note", "ünïcödé \"quoted\"\nnewline");
        }

        var bytes = File.ReadAllBytes(_path);
        var text = new UTF8Encoding(false, true).GetString(bytes);
        Assert.EndsWith("\n", text);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Equal("ünïcödé \"quoted\"\nnewline", (string?)JsonNode.Parse(text)!["message"]);
    }

    [Fact]
    public void A_live_journal_cannot_be_opened_for_recovery_through_a_hard_link_and_never_through_a_symlink()
    {
        using var live = JournalWriter.Create(_path, _time);
        live.Started("run-1", "exp", "/p.yaml", "sha256:abc", dryRun: false);
        var symlink = _dir.File("other-name.jsonl");
        File.CreateSymbolicLink(symlink, _path);
        var hardLink = _dir.File("hard-link.jsonl");
        Assert.Equal(0, Link(_path, hardLink));

        // The run's lock is on the file itself, so every name that reaches it meets the lock; a symlink is not followed.
        Assert.Null(JournalWriter.TryOpenExisting(_path, _time));
        Assert.Null(JournalWriter.TryOpenExisting(hardLink, _time));
        Assert.Contains("symbolic link", Assert.Throws<InvalidInputException>(() => JournalWriter.TryOpenExisting(symlink, _time)).Message);

        live.Dispose();
        using var recovering = JournalWriter.TryOpenExisting(hardLink, _time);
        Assert.NotNull(recovering);
        // Two recovers never append to one journal either.
        Assert.Null(JournalWriter.TryOpenExisting(_path, _time));
    }

    [Fact]
    public void A_journal_from_a_run_that_still_holds_the_old_sidecar_lock_is_left_alone()
    {
        using (var w = JournalWriter.Create(_path, _time)) w.Started("run-1", "exp", "/p.yaml", "sha256:abc", dryRun: false);
        using var oldRun = new FileStream(_path + ".lock", FileMode.Create, FileAccess.ReadWrite, FileShare.None);

        Assert.Null(JournalWriter.TryOpenExisting(_path, _time));
    }

    [Fact]
    public void The_journal_folder_is_created_owner_only()
    {
        using var w = JournalWriter.Create(_path, _time);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(_path)!));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link")]
    private static extern int Link(string existing, string newPath);
}
