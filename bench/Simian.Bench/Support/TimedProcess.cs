using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Simian.Bench.Support;

/// <summary>One run of a command: wall time from this process's clock, peak RSS from GNU time's "Maximum resident set size".</summary>
public sealed record TimedRun(double WallMs, long MaxRssKiB, double CpuSeconds, int ExitCode, string Stdout, string Stderr)
{
    public double MaxRssMiB => MaxRssKiB / 1024.0;
}

public static partial class TimedProcess
{
    public const string GnuTime = "/usr/bin/time";

    public static async Task<TimedRun> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, TimeSpan timeout)
    {
        if (!File.Exists(GnuTime))
        {
            throw new BenchFailedException($"{GnuTime} is missing (apt-get install -y time): peak memory cannot be measured");
        }

        var report = Path.Combine(Path.GetTempPath(), $"simian-bench-time-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        var inner = ChildProcess.Info(program, args);
        var info = new ProcessStartInfo(GnuTime)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-v", "-o", report, inner.FileName }.Concat(inner.ArgumentList))
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        try
        {
            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(info) ?? throw new BenchFailedException($"cannot start {program}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new BenchFailedException($"{program} did not finish within {timeout}");
            }

            var wall = Ticks.SinceMs(start);
            var text = await File.ReadAllTextAsync(report).ConfigureAwait(false);
            var rss = MaxRss().Match(text) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
            var cpu = Seconds(UserTime().Match(text)) + Seconds(SystemTime().Match(text));
            return new TimedRun(wall, rss, cpu, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        finally
        {
            File.Delete(report);
        }
    }

    private static double Seconds(Match m) => m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex MaxRss();

    [GeneratedRegex(@"User time \(seconds\): ([0-9.]+)")]
    private static partial Regex UserTime();

    [GeneratedRegex(@"System time \(seconds\): ([0-9.]+)")]
    private static partial Regex SystemTime();
}
