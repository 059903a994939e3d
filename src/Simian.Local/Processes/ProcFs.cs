namespace Simian.Local.Processes;

/// <summary>One process as /proc shows it. The start time tells a process from a later one with the same pid.</summary>
public sealed record ProcessInfo(int Pid, int ParentPid, string CommandLine, string Name, char State, long StartTime);

/// <summary>Reads processes from Linux's /proc.</summary>
public static class ProcFs
{
    public static IEnumerable<ProcessInfo> List(string root = "/proc")
    {
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var info = Get(pid, root);
            if (info is not null) yield return info;
        }
    }

    public static ProcessInfo? Get(int pid, string root = "/proc")
    {
        try
        {
            var stat = File.ReadAllText($"{root}/{pid}/stat");
            // The command name is in parentheses and may itself hold spaces and parentheses.
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open) return null;
            var name = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var state = fields[0].Length > 0 ? fields[0][0] : '?';
            var ppid = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            var start = long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
            var cmdline = File.ReadAllText($"{root}/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
            return new ProcessInfo(pid, ppid, cmdline.Length == 0 ? $"[{name}]" : cmdline, name, state, start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // The process exited while we looked, or is not ours to read.
            return null;
        }
    }

    /// <summary>
    /// Live processes whose environment holds exactly <paramref name="entry"/> (<c>NAME=value</c>). Zombies have no
    /// environment left and are not listed; processes we may not read are skipped.
    /// </summary>
    public static IReadOnlyList<ProcessInfo> WithEnvironment(string entry, string root = "/proc")
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(entry + "\0");
        var found = new List<ProcessInfo>();
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes($"{dir}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (!StartsEntry(environ, needle)) continue;
            if (Get(pid, root) is { } info) found.Add(info);
        }
        return found;
    }

    private static bool StartsEntry(ReadOnlySpan<byte> environ, ReadOnlySpan<byte> needle)
    {
        for (var at = 0; at < environ.Length;)
        {
            var rest = environ[at..];
            if (rest.StartsWith(needle)) return true;
            var end = rest.IndexOf((byte)0);
            if (end < 0) return rest.SequenceEqual(needle[..^1]);
            at += end + 1;
        }
        return false;
    }

    /// <summary>
    /// Processes simian must never pause or kill, with the reason: itself, its ancestors, and whatever holds the other
    /// end of its stdout or stderr — the <c>tee</c> in <c>simian run … | tee log</c>, a log shipper reading a pipe or
    /// FIFO, the terminal emulator or multiplexer serving its pty. Pausing one of those would block simian's next
    /// write and with it the rollback. (Output to a socket is not traced to its peer: see docs/reliability.md.)
    /// </summary>
    public static Dictionary<int, string> Protected(string root = "/proc")
    {
        var result = new Dictionary<int, string>();
        foreach (var pid in SelfAndAncestors(root)) result[pid] = pid == Environment.ProcessId ? "simian itself" : "an ancestor of simian";
        foreach (var (pid, reason) in OutputPeers(root)) result.TryAdd(pid, reason);
        return result;
    }

    /// <summary>Processes reading simian's stdout or stderr (a pipe or FIFO), or serving its terminal (the pty's master).</summary>
    public static Dictionary<int, string> OutputPeers(string root = "/proc")
    {
        var pipes = new Dictionary<string, string>(StringComparer.Ordinal);
        var ptys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (fd, stream) in new[] { (1, "stdout"), (2, "stderr") })
        {
            var link = ReadLink($"{root}/{Environment.ProcessId}/fd/{fd}");
            if (link is null) continue;
            if (link.StartsWith("pipe:[", StringComparison.Ordinal)) pipes.TryAdd(link, $"reads simian's {stream} (a pipe)");
            else if (link.StartsWith("/dev/pts/", StringComparison.Ordinal)) ptys.TryAdd(link["/dev/pts/".Length..], $"serves simian's terminal {link}");
            else if (Simian.Core.Platform.Posix.Stat(link) is { IsFifo: true }) pipes.TryAdd(link, $"reads simian's {stream} (FIFO {link})");
        }
        var peers = new Dictionary<int, string>();
        if (pipes.Count == 0 && ptys.Count == 0) return peers;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            IEnumerable<string> fds;
            try
            {
                fds = Directory.EnumerateFiles($"{dir}/fd").ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var fdPath in fds)
            {
                var link = ReadLink(fdPath);
                if (link is null) continue;
                var fdInfo = $"{dir}/fdinfo/{Path.GetFileName(fdPath)}";
                if (pipes.TryGetValue(link, out var reason) && OpenForReading(fdInfo))
                {
                    peers.TryAdd(pid, reason);
                    break;
                }
                if (link is "/dev/ptmx" or "/dev/pts/ptmx" && PtyIndex(fdInfo) is { } index && ptys.TryGetValue(index, out var pty))
                {
                    peers.TryAdd(pid, pty);
                    break;
                }
            }
        }
        return peers;
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FdInfoField(string fdInfo, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(fdInfo))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal)) return line[(field.Length + 1)..].Trim();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>The read end of a pipe: O_RDONLY or O_RDWR in the fd's flags (octal).</summary>
    private static bool OpenForReading(string fdInfo) =>
        FdInfoField(fdInfo, "flags") is { } flags && long.TryParse(flags, System.Globalization.NumberStyles.None, null, out _) &&
        (Convert.ToInt64(flags, 8) & 3) is 0 or 2;

    /// <summary>Which pty a /dev/ptmx descriptor is the master of.</summary>
    private static string? PtyIndex(string fdInfo) => FdInfoField(fdInfo, "tty-index");

    /// <summary>This process and its ancestors: never a target, whatever the selector says.</summary>
    public static HashSet<int> SelfAndAncestors(string root = "/proc")
    {
        var set = new HashSet<int>();
        var pid = Environment.ProcessId;
        while (pid > 1 && set.Add(pid))
        {
            var info = Get(pid, root);
            if (info is null) break;
            pid = info.ParentPid;
        }
        set.Add(1);
        return set;
    }
}
