using System.Text.Json.Nodes;

namespace Simian.CrashMatrix.Tests.Support;

/// <summary>
/// Watches a journal from outside the process that writes it: inotify (through FileSystemWatcher) wakes the
/// watcher at once, and a 1 ms poll covers missed events. It only reads the file — the product has no test hooks.
/// </summary>
public sealed class JournalWatch : IDisposable
{
    private readonly string _path;
    private readonly FileSystemWatcher _watcher;
    private readonly AutoResetEvent _changed = new(false);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private FileStream? _stream;
    private int _lines;

    public JournalWatch(string path)
    {
        _path = path;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.Size | NotifyFilters.LastWrite | NotifyFilters.FileName,
        };
        _watcher.Changed += (_, _) => _changed.Set();
        _watcher.Created += (_, _) => _changed.Set();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Complete (newline-terminated) lines in the journal now.</summary>
    public int Lines()
    {
        if (_stream is null)
        {
            if (!File.Exists(_path)) return 0;
            try
            {
                _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            }
            catch (FileNotFoundException)
            {
                return 0;
            }
        }
        int read;
        while ((read = _stream.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            _lines += _buffer.AsSpan(0, read).Count((byte)'\n');
        }
        return _lines;
    }

    /// <summary>
    /// Blocks this thread until the journal has at least <paramref name="lines"/> complete lines, then runs
    /// <paramref name="act"/> at once (it must tolerate a writer that has just exited). Returns the line count
    /// that triggered it, or -1 if the writer exited without writing that many.
    /// </summary>
    public int WhenLines(int lines, Func<bool> writerExited, TimeSpan timeout, Action act)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = Lines();
            if (seen >= lines)
            {
                act();
                return seen;
            }
            if (writerExited() && Lines() < lines) return -1;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout} waiting for {lines} journal lines (have {seen}) in {_path}");
            _changed.WaitOne(1);
        }
    }

    /// <summary>The same, on a dedicated thread so a busy thread pool cannot delay the reaction.</summary>
    public Task<int> WhenLinesAsync(int lines, Func<bool> writerExited, TimeSpan timeout, Action act) =>
        Task.Factory.StartNew(() => WhenLines(lines, writerExited, timeout, act), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Every parseable line of a journal, in order.</summary>
    public static List<JsonObject> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var events = new List<JsonObject>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && JsonNode.Parse(line) is JsonObject e) events.Add(e);
        }
        return events;
    }

    /// <summary>A short name for a journal line: "intent 3 deny", "undone 2", "step start 5".</summary>
    public static string Describe(JsonObject e)
    {
        var kind = (string?)e["event"];
        return kind switch
        {
            "intent" => $"intent {e["seq"]} {e["fault"]}",
            "applied" or "undone" or "apply-failed" or "undo-failed" or "left" => $"{kind} {e["seq"]}",
            "step" => $"step {e["phase"]} {e["index"]}",
            "finished" => $"finished {e["status"]}",
            _ => kind ?? "?",
        };
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _stream?.Dispose();
        _changed.Dispose();
    }
}
