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
