using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Core.Providers;

namespace Simian.Core.Journal;

/// <summary>
/// Appends one JSON object per line to the run's journal and forces it to disk before returning, so that a
/// change is never made before the record of how to undo it is durable. Owner-only permissions.
/// A torn last line (power loss mid-write) is ignored by the reader.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly FileStream _liveLock;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private int _seq;

    // Readable journals: '+' and '>' need no escaping in a file nobody embeds in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private JournalWriter(string path, FileStream stream, FileStream liveLock, TimeProvider time)
    {
        Path = path;
        _stream = stream;
        _liveLock = liveLock;
        _time = time;
    }

    public string Path { get; }

    public static JournalWriter Create(string path, TimeProvider time)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        // Held for the life of the run: recover skips journals whose run is still alive.
        var liveLock = new FileStream(LockPathFor(path), new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            return new JournalWriter(path, stream, liveLock, time);
        }
        catch
        {
            // A leaked live lock would make recover skip this journal as if its run were still going.
            liveLock.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing journal to append to (recover), or returns null while its run is still alive.</summary>
    public static JournalWriter? TryOpenExisting(string path, TimeProvider time)
    {
        FileStream liveLock;
        try
        {
            liveLock = new FileStream(LockPathFor(path), new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException)
        {
            return null;
        }
        try
        {
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            // A torn last line from a crash must not swallow the next event.
            if (stream.Length > 0 && LastByte(path) != (byte)'\n')
            {
                stream.WriteByte((byte)'\n');
            }
            return new JournalWriter(path, stream, liveLock, time);
        }
        catch
        {
            liveLock.Dispose();
            throw;
        }
    }

    private static int LastByte(string path)
    {
        using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (read.Length == 0) return -1;
        read.Seek(-1, SeekOrigin.End);
        return read.ReadByte();
    }

    public static string LockPathFor(string journalPath) => journalPath + ".lock";

    public void Started(string runId, string experiment, string profilePath, string fingerprint, bool dryRun, JsonObject? context = null) =>
        Write("started", w =>
        {
            w.WriteString("runId", runId);
            w.WriteString("experiment", experiment);
            w.WriteString("profile", profilePath);
            w.WriteString("fingerprint", fingerprint);
            w.WriteNumber("pid", Environment.ProcessId);
            w.WriteBoolean("dryRun", dryRun);
            // What a report needs without the profile: version, host, plan facts, probe definitions (redacted).
            foreach (var (key, value) in context ?? [])
            {
                w.WritePropertyName(key);
                if (value is null) w.WriteNullValue(); else value.WriteTo(w);
            }
        });

    /// <summary>Records a change about to be made and how to undo it. Returns its sequence number.</summary>
    public int Intent(string step, string fault, string targetType, string target, Resource resource, bool reversible,
        IReadOnlyDictionary<string, string> settings, JsonObject undo, string? description = null)
    {
        var seq = Interlocked.Increment(ref _seq);
        Write("intent", w =>
        {
            w.WriteNumber("seq", seq);
            w.WriteString("step", step);
            w.WriteString("fault", fault);
            w.WriteString("targetType", targetType);
            w.WriteString("target", target);
            w.WriteStartObject("resource");
            w.WriteString("id", resource.Id);
            if (resource.Label is not null) w.WriteString("label", resource.Label);
            w.WriteStartObject("attributes");
            foreach (var (k, v) in resource.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteBoolean("reversible", reversible);
            if (description is not null) w.WriteString("description", description);
            w.WriteStartObject("settings");
            foreach (var (k, v) in settings.OrderBy(a => a.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            w.WritePropertyName("undo");
            undo.WriteTo(w);
        });
        return seq;
    }

    public void Applied(int seq) => Write("applied", w => w.WriteNumber("seq", seq));

    public void ApplyFailed(int seq, string error) => Write("apply-failed", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("error", error);
    });

    public void Undone(int seq, string by, UndoOutcome outcome) => Write("undone", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("by", by);
        w.WriteString("outcome", outcome == UndoOutcome.Restored ? "restored" : "nothing-to-undo");
    });

    public void UndoFailed(int seq, string error) => Write("undo-failed", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("error", error);
    });

    public void Left(int seq, string reason) => Write("left", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("reason", reason);
    });

    public void Step(string phase, int index, string name) => Write("step", w =>
    {
        w.WriteString("phase", phase);
        w.WriteNumber("index", index);
        w.WriteString("name", name);
    }, durable: false);

    public void Probe(string phase, string probe, bool ok, double latencyMs, string detail) => Write("probe", w =>
    {
        w.WriteString("phase", phase);
        w.WriteString("probe", probe);
        w.WriteBoolean("ok", ok);
        w.WriteNumber("latencyMs", Math.Round(latencyMs, 3));
        w.WriteString("detail", detail);
    }, durable: false);

    public void Note(string kind, string message) => Write(kind, w => w.WriteString("message", message));

    public void Finished(string status, int exitCode, string summary) => Write("finished", w =>
    {
        w.WriteString("status", status);
        w.WriteNumber("exitCode", exitCode);
        w.WriteString("summary", summary);
    });

    private void Write(string kind, Action<Utf8JsonWriter> body, bool durable = true)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("event", kind);
            w.WriteString("at", _time.GetUtcNow().ToString("O"));
            body(w);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            // fsync for changes; probe samples only need to reach the page cache.
            _stream.Flush(flushToDisk: durable);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream.Flush(true);
            _stream.Dispose();
        }
        _liveLock.Dispose();
    }
}
