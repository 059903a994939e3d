using System.Globalization;

namespace Simian.Bench.Support;

/// <summary>Memory, threads and open descriptors of a live process, from /proc (Linux).</summary>
public readonly record struct ProcStatus(long RssKiB, long PeakRssKiB, int Threads, int OpenFds)
{
    public double RssMiB => RssKiB / 1024.0;

    public double PeakRssMiB => PeakRssKiB / 1024.0;

    public static ProcStatus Read(int pid)
    {
        long rss = 0, hwm = 0;
        int threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kib(line);
            else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = (int)Kib(line);
        }

        int fds;
        try
        {
            fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        }
        catch (UnauthorizedAccessException)
        {
            fds = -1;
        }

        return new ProcStatus(rss, hwm, threads, fds);
    }

    private static long Kib(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>CPU seconds (user + system) a process has used so far, from /proc/PID/stat.</summary>
public static class ProcCpu
{
    private const double ClockTicksPerSecond = 100; // USER_HZ, 100 on every Linux build this runs on

    public static double Seconds(int pid)
    {
        var (user, system) = Split(pid);
        return user + system;
    }

    /// <summary>User and system CPU seconds separately: system time is the kernel copying and waking, user time the process's own work.</summary>
    public static (double User, double System) Split(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture) / ClockTicksPerSecond,
            long.Parse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture) / ClockTicksPerSecond);
    }
}

/// <summary>Context switches of every thread of a process, from /proc/PID/task/*/status.</summary>
public static class ProcSwitches
{
    public static long Total(int pid)
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.Split(':', 2)[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while we read.
            }
        }

        return total;
    }
}
