using System.Diagnostics;
using System.Text;

namespace Simian.Fuzz.Tests.Hostile;

/// <summary>Counts, the outcome histogram, the slowest and hungriest case, memory after GC, and the failures.</summary>
public sealed class FuzzStats
{
    private const int MaxFailuresKept = 15;

    public int Cases { get; private set; }
    public int CliCases { get; set; }
    public Dictionary<string, int> Histogram { get; } = new(StringComparer.Ordinal);
    public Dictionary<int, int> CliExitCodes { get; } = [];
    public List<string> Failures { get; } = [];
    public int FailureCount { get; private set; }
    public bool Hung { get; set; }
    public TimeSpan Slowest { get; private set; }
    public string SlowestCase { get; private set; } = "";
    public long MostAllocated { get; private set; }
    public string MostAllocatedCase { get; private set; } = "";
    public long BaselineManaged { get; } = ManagedAfterGc();
    public long PeakManaged { get; private set; }
    public long PeakWorkingSet { get; private set; }

    public void Record(string bucket, LoadOutcome outcome, string describe)
    {
        Cases++;
        Histogram[bucket] = Histogram.GetValueOrDefault(bucket) + 1;
        if (outcome.Elapsed > Slowest) (Slowest, SlowestCase) = (outcome.Elapsed, describe);
        if (outcome.AllocatedBytes > MostAllocated) (MostAllocated, MostAllocatedCase) = (outcome.AllocatedBytes, describe);
    }

    public void Fail(string what)
    {
        FailureCount++;
        if (Failures.Count < MaxFailuresKept) Failures.Add(what);
    }

    /// <summary>Forces a full collection and records what is still alive: the heap must not grow with the run.</summary>
    public void SampleMemory()
    {
        PeakManaged = Math.Max(PeakManaged, ManagedAfterGc());
        using var self = Process.GetCurrentProcess();
        PeakWorkingSet = Math.Max(PeakWorkingSet, self.WorkingSet64);
    }

    public string Report(string title, int seed, TimeSpan elapsed)
    {
        var s = new StringBuilder();
        s.AppendLine($"{title}: seed {seed}, {Cases} cases ({CliCases} also through `simian validate`), {elapsed.TotalSeconds:0.0}s, {FailureCount} failure(s)");
        s.AppendLine($"  slowest case {Slowest.TotalMilliseconds:0} ms ({SlowestCase})");
        s.AppendLine($"  most allocated by one case {MostAllocated / (1024 * 1024.0):0.0} MiB ({MostAllocatedCase})");
        s.AppendLine($"  managed heap after GC: baseline {Mib(BaselineManaged)}, peak {Mib(PeakManaged)}; peak working set {Mib(PeakWorkingSet)}");
        if (CliExitCodes.Count > 0) s.AppendLine($"  validate exit codes: {string.Join(", ", CliExitCodes.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"))}");
        s.AppendLine("  outcomes (first diagnostic, names and numbers blanked):");
        var ordered = Histogram.OrderByDescending(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal).ToList();
        foreach (var (bucket, count) in ordered.Take(40))
        {
            s.AppendLine($"    {count,6}  {bucket}");
        }
        if (ordered.Count > 40) s.AppendLine($"    … and {ordered.Count - 40} rarer outcomes ({ordered.Skip(40).Sum(h => h.Value)} cases)");
        return s.ToString();
    }

    public static string Mib(long bytes) => $"{bytes / (1024 * 1024.0):0} MiB";

    private static long ManagedAfterGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
