using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Core.Platform;
using Simian.Core.Providers;

namespace Simian.Core.Journal;

/// <summary>
/// Appends one JSON object per line to the run's journal and forces it to disk before returning, so that a
/// change is never made before the record of how to undo it is durable. Owner-only permissions.
/// A write that fails (a full disk, an I/O error, a read-only remount) is cut back to the last whole line and
/// thrown as <see cref="JournalWriteException"/>; <see cref="Broken"/> tells the runner at once, so a hold ends and
/// rollback starts. A torn last line (power loss mid-write) is ignored by the reader.
/// The file holds an open-file-description lock for the life of the run: it follows the inode, so a symlink or
/// hard link to a live journal cannot let recover (or a second writer) in.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _broken = new();
    private long _length;
    private int _seq;
    private bool _disposed;

    // Readable journals: '+' and '>' need no escaping in a file nobody embeds in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private JournalWriter(string path, FileStream file, long length, TimeProvider time)
    {
        Path = path;
        _file = file;
        _length = length;
        _time = time;
    }

    /// <summary>The step name under which a run's helpers (services a profile starts) are journaled.</summary>
    public const string HelpersStep = "helpers";

    public string Path { get; }

    /// <summary>Cancelled at the first write that fails: the run must stop injecting and roll back.</summary>
    public CancellationToken Broken => _broken.Token;

    /// <summary>Why the first failed write failed, or null while every write has succeeded.</summary>
    public string? FirstFailure { get; private set; }

    /// <summary>
    /// The shared copy every line is also written to, after the local file and before the write returns (set once,
    /// before the first event). A line that announces a change (<c>started</c>, <c>intent</c>) that cannot reach it is
    /// taken back from the local file too and thrown: the change is not made. Any other line that cannot reach it is
    /// kept for later, and the run is stopped (<see cref="Broken"/>) so that it rolls back from the local journal.
    /// </summary>
    public IJournalMirror? Mirror { get; set; }

    /// <summary>
    /// Creates a new journal (never an existing file or a symlink: O_EXCL) with owner-only permissions, locks it,
    /// and syncs its folder so the file itself survives a power cut. Throws <see cref="JournalWriteException"/>.
    /// </summary>
    public static JournalWriter Create(string path, TimeProvider time)
    {
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full)!;
        FileStream? file = null;
        try
        {
            Directory.CreateDirectory(dir, OwnerOnlyFolder);
            file = new FileStream(full, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0,
                UnixCreateMode = OwnerOnly,
            });
            // Only a recover that looked at the empty file in the instant since it was created can hold the lock.
            var lockedAt = Environment.TickCount64;
            while (!Posix.TryLockExclusive(file.SafeFileHandle))
            {
                if (Environment.TickCount64 - lockedAt > 2000) throw new IOException("another process holds its lock");
                Thread.Yield();
            }
            Posix.FsyncDirectory(dir);
            return new JournalWriter(path, file, 0, time);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            throw new JournalWriteException(path, e);
        }
    }

    /// <summary>Opens an existing journal to append to (recover), or returns null while its run is still alive.</summary>
    public static JournalWriter? TryOpenExisting(string path, TimeProvider time)
    {
        // Journals written before the lock moved onto the journal itself kept it in a sidecar file.
        if (LegacyLockHeld(path)) return null;
        var before = Posix.Lstat(path);
        if (before is { IsRegularFile: false } notFile) throw new InvalidInputException($"journal {path} is {notFile.KindText}; recover opens only the journal file itself");
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite, BufferSize = 0 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalWriteException(path, e);
        }
        try
        {
            // What was opened is what was checked: a swap for a symlink in between is refused (O_NOFOLLOW by identity).
            var opened = Posix.Fstat(file.SafeFileHandle);
            if (before is not { } b || b.Device != opened.Device || b.Inode != opened.Inode)
            {
                file.Dispose();
                throw new InvalidInputException($"journal {path} changed while it was being opened; refusing it");
            }
            if (!Posix.TryLockExclusive(file.SafeFileHandle))
            {
                file.Dispose();
                return null;
            }
            var length = RandomAccess.GetLength(file.SafeFileHandle);
            var writer = new JournalWriter(path, file, length, time);
            // A torn last line from a crash must not swallow the next event.
            if (length > 0 && LastByte(file.SafeFileHandle, length) != (byte)'\n') writer.Append("\n"u8.ToArray(), durable: true, JournalEventNames.Repair);
            return writer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            throw new JournalWriteException(path, e);
        }
    }

    /// <summary>Whether the journal's run (or a recover of it) is writing it now: it holds the journal's lock.</summary>
    public static bool IsLive(string path)
    {
        try
        {
            using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete });
            return Posix.LockedByOther(file.SafeFileHandle) || LegacyLockHeld(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool LegacyLockHeld(string path)
    {
        var legacy = path + ".lock";
        if (!File.Exists(legacy)) return false;
        try
        {
            using var probe = new FileStream(legacy, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int LastByte(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length)
    {
        Span<byte> one = stackalloc byte[1];
        return RandomAccess.Read(handle, one, length - 1) == 1 ? one[0] : -1;
    }

    /// <param name="pid">The run's process (this one unless told; recover checks it).</param>
    public void Started(string runId, string experiment, string profilePath, string fingerprint, bool dryRun, JsonObject? context = null, int? pid = null) =>
        Write(JournalEventNames.Started, w =>
        {
            w.WriteNumber("journal", JournalState.FormatVersion);
            w.WriteString("runId", runId);
            w.WriteString("experiment", experiment);
            w.WriteString("profile", profilePath);
            w.WriteString("fingerprint", fingerprint);
            w.WriteNumber("pid", pid ?? Environment.ProcessId);
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
        Write(JournalEventNames.Intent, w =>
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

    public void Applied(int seq) => Write(JournalEventNames.Applied, w => w.WriteNumber("seq", seq));

    /// <param name="notApplied">The fault is certain nothing was changed: recover has nothing to undo.</param>
    public void ApplyFailed(int seq, string error, bool notApplied = false) => Write(JournalEventNames.ApplyFailed, w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("error", error);
        if (notApplied) w.WriteBoolean("notApplied", true);
    });

    public void Undone(int seq, string by, UndoOutcome outcome) => Write(JournalEventNames.Undone, w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("by", by);
        w.WriteString("outcome", outcome == UndoOutcome.Restored ? "restored" : "nothing-to-undo");
    });

    public void UndoFailed(int seq, string error) => Write(JournalEventNames.UndoFailed, w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("error", error);
    });

    public void Left(int seq, string reason) => Write(JournalEventNames.Left, w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("reason", reason);
    });

    public void Step(string phase, int index, string name) => Write(JournalEventNames.Step, w =>
    {
        w.WriteString("phase", phase);
        w.WriteNumber("index", index);
        w.WriteString("name", name);
    }, durable: false);

    public void Probe(string phase, string probe, bool ok, double latencyMs, string detail) => Write(JournalEventNames.Probe, w =>
    {
        w.WriteString("phase", phase);
        w.WriteString("probe", probe);
        w.WriteBoolean("ok", ok);
        w.WriteNumber("latencyMs", Math.Round(latencyMs, 3));
        w.WriteString("detail", detail);
    }, durable: false);

    /// <summary>An event carrying one message: <c>rollback</c>, <c>would-apply</c>, <c>recovered</c> (see <see cref="JournalEventNames"/>).</summary>
    public void Note(string kind, string message) => Write(kind, w => w.WriteString("message", message));

    /// <summary>The steady state deviated: which probe, and why.</summary>
    public void Deviation(string probe, string message) => Write(JournalEventNames.Deviation, w =>
    {
        w.WriteString("message", message);
        w.WriteString("probe", probe);
    });

    public void Finished(string status, int exitCode, string summary) => Write(JournalEventNames.Finished, w =>
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
        Append(buffer.ToArray(), durable, kind);
    }

    private void Append(byte[] line, bool durable, string kind)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                RandomAccess.Write(_file.SafeFileHandle, line, _length);
                // fsync for changes; probe samples only need to reach the page cache.
                if (durable) RandomAccess.FlushToDisk(_file.SafeFileHandle);
                _length += line.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Whatever part of the line reached the file is cut off, so the next write starts a whole line.
                try { RandomAccess.SetLength(_file.SafeFileHandle, _length); } catch (IOException) { }
                var failure = new JournalWriteException(Path, e, kind);
                if (FirstFailure is null)
                {
                    FirstFailure = failure.Reason;
                    _broken.Cancel();
                }
                throw failure;
            }
            if (Mirror is { } mirror && kind != JournalEventNames.Repair) WriteMirror(mirror, line, kind);
        }
    }

    private void WriteMirror(IJournalMirror mirror, byte[] line, string kind)
    {
        var announcesChange = kind is JournalEventNames.Started or JournalEventNames.Intent;
        try
        {
            mirror.Write(line, keepOnFailure: !announcesChange);
        }
        catch (Shared.SharedStateException e)
        {
            var reason = $"the shared journal {mirror.Location} could not be written ({e.Message})";
            if (FirstFailure is null)
            {
                FirstFailure = reason;
                _broken.Cancel();
            }
            if (!announcesChange) return;
            // The change is not made, so neither journal may say it is about to be.
            try
            {
                RandomAccess.SetLength(_file.SafeFileHandle, _length - line.Length);
                RandomAccess.FlushToDisk(_file.SafeFileHandle);
                _length -= line.Length;
            }
            catch (IOException)
            {
                // Left in the local journal: an intent never applied, which recover finds already clean.
            }
            throw new JournalWriteException(Path, e, kind);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _file.Dispose();
        }
        _broken.Dispose();
    }
}

/// <summary>The journal could not be written: a full disk, an I/O error, a path that is not a writable file.</summary>
public sealed class JournalWriteException(string path, Exception inner, string? eventKind = null)
    : SimianException($"cannot write the journal {path}{(eventKind is null ? "" : $" ({eventKind})")}: {IoErrors.Reason(inner)}", inner)
{
    public string JournalPath { get; } = path;

    /// <summary>The operating system's reason, e.g. "No space left on device".</summary>
    public string Reason { get; } = IoErrors.Reason(inner);

    public override int ExitCode => ExitCodes.Provider;
}
