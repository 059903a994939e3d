using System.Globalization;

namespace Simian.Bench.Support;

/// <summary>The TCP states of the sockets a process holds open, from /proc/PID/fd and /proc/net/tcp{,6}.</summary>
public static class SocketStates
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["01"] = "ESTABLISHED", ["02"] = "SYN_SENT", ["03"] = "SYN_RECV", ["04"] = "FIN_WAIT1", ["05"] = "FIN_WAIT2",
        ["06"] = "TIME_WAIT", ["07"] = "CLOSE", ["08"] = "CLOSE_WAIT", ["09"] = "LAST_ACK", ["0A"] = "LISTEN", ["0B"] = "CLOSING",
    };

    /// <summary>Counts by state name; sockets that are not TCP (Unix, UDP) count as "other".</summary>
    public static SortedDictionary<string, int> Of(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seen = 0;
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length > 9 && inodes.Contains(cols[9]))
                {
                    var state = Names.GetValueOrDefault(cols[3], cols[3]);
                    counts[state] = counts.GetValueOrDefault(state) + 1;
                    seen++;
                }
            }
        }

        if (inodes.Count > seen)
        {
            counts["other"] = inodes.Count - seen;
        }

        return counts;
    }

    public static string Describe(SortedDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(kv => kv.Key + " " + kv.Value.ToString(CultureInfo.InvariantCulture)));
}
