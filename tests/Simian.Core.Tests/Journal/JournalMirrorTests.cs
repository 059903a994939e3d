using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Simian.Core.Journal;
using Simian.Core.Providers;
using Simian.Core.Shared;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Journal;

/// <summary>
/// The journal's shared copy: each line reaches it after the local file and before the write returns. A line that
/// announces a change and cannot reach it is taken back from the local file too (the change is not made); any other
/// line that cannot reach it is kept for later and stops the run, which rolls back from the local journal.
/// </summary>
public sealed class JournalMirrorTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    /// <summary>A shared copy in memory that fails while told to.</summary>
    private sealed class Mirror : IJournalMirror
    {
        public List<string> Lines { get; } = [];
        public List<string> Kept { get; } = [];
        public bool Down { get; set; }

        public string Location => "s3://team/runs/r1/events/";

        public int Behind => Kept.Count;

        public void Write(ReadOnlyMemory<byte> line, bool keepOnFailure)
        {
            var text = Encoding.UTF8.GetString(line.Span);
            if (Down)
            {
                if (keepOnFailure) Kept.Add(text);
                throw new SharedStateException("cannot write: AccessDenied");
            }
            Flush();
            Lines.Add(text);
        }

        public bool Flush()
        {
            if (Down) return false;
            Lines.AddRange(Kept);
            Kept.Clear();
            return true;
        }
    }

    private static readonly Resource Thing = new() { Id = "t1" };

    /// <summary>A journal with a shared copy, its <c>started</c> line written to both.</summary>
    private (string Path, Mirror Mirror, JournalWriter Writer) Started()
    {
        var path = _dir.File("j.jsonl");
        var mirror = new Mirror();
        var w = JournalWriter.Create(path, _time);
        w.Mirror = mirror;
        w.Started("r1", "exp", "/p.yaml", "sha256:x", dryRun: false);
        return (path, mirror, w);
    }

    private static int Intent(JournalWriter w) =>
        w.Intent("s", "break", "test:thing", "things", Thing, true, new Dictionary<string, string>(), new JsonObject { ["before"] = "b" });

    [Fact]
    public void Every_line_reaches_the_shared_copy_in_order_before_the_write_returns()
    {
        var (path, mirror, w) = Started();
        using var _ = w;
        var seq = Intent(w);
        Assert.Equal(2, mirror.Lines.Count);
        w.Applied(seq);
        w.Undone(seq, "rollback", UndoOutcome.Restored);
        Assert.Equal(File.ReadAllLines(path), mirror.Lines.Select(l => l.TrimEnd('\n')));
    }

    [Fact]
    public void An_intent_the_shared_copy_cannot_take_is_taken_back_locally_and_thrown()
    {
        var (path, mirror, w) = Started();
        using var _ = w;
        mirror.Down = true;

        var e = Assert.Throws<JournalWriteException>(() => Intent(w));
        Assert.Contains("AccessDenied", e.Message);
        Assert.Equal(ExitCodes.Provider, e.ExitCode);
        // Neither copy says the change is about to be made: it will not be.
        Assert.Single(File.ReadAllLines(path));
        Assert.Empty(JournalState.Read(path).Changes);
        Assert.Empty(mirror.Kept);
        Assert.True(w.Broken.IsCancellationRequested);
        Assert.Contains("s3://team/runs/r1/events/", w.FirstFailure);
    }

    [Fact]
    public void Other_lines_stay_local_are_kept_for_the_shared_copy_and_stop_the_run()
    {
        var (path, mirror, w) = Started();
        using var _ = w;
        var seq = Intent(w);
        w.Applied(seq);
        mirror.Down = true;

        // Rollback's record must not be lost to S3 being down: the local journal has it at once.
        w.Undone(seq, "rollback", UndoOutcome.Restored);
        Assert.True(JournalState.Read(path).Changes.Single().Undone);
        Assert.True(w.Broken.IsCancellationRequested);
        Assert.Equal(1, mirror.Behind);

        mirror.Down = false;
        w.Finished("aborted", 4, "the shared journal could not be written");
        Assert.Equal(File.ReadAllLines(path), mirror.Lines.Select(l => l.TrimEnd('\n')));
    }
}
