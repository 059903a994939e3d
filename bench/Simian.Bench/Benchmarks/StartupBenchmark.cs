using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>startup</c>: wall time of <c>simian validate</c> for the native AOT binary against the floor, a minimal Native
/// AOT "hello" built from bench/Hello with the same SDK (the target is a ratio to it, measured in the same run), and
/// against the apphost and <c>dotnet simian.dll</c>. Two timers: hyperfine (if on PATH) in alternating rounds, and
/// this process launching the variants interleaved run by run, so a burst of load from other work hits every variant
/// alike. Page faults and peak RSS of one run each come from GNU time.
/// </summary>
public static partial class StartupBenchmark
{
    private const double TargetRatio = 2;

    private sealed record Variant(string Name, string Program, string[] Args)
    {
        public string CommandLine => string.Join(' ', new[] { Program }.Concat(Args));
    }

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var aot = args.String("aot");
        var hello = args.String("hello");
        var fdd = args.String("fdd", "src/ChaosCli/bin/Release/net10.0");
        var profile = args.String("profile", "samples/quickstart.yaml");
        var runs = args.Int("runs", 50);
        var warmup = args.Int("warmup", 5);
        var timer = args.String("timer", "auto");
        var publishLog = args.String("publish-log");
        var publishSeconds = args.String("publish-seconds");
        args.EnsureAllRead();

        var result = new BenchResult("startup", args);
        var variants = new List<Variant>();
        if (aot is not null && File.Exists(aot))
        {
            variants.Add(new Variant("aot", aot, ["validate", profile]));
            variants.Add(new Variant("aot-version", aot, ["--version"]));
        }
        else
        {
            result.Notes.Add($"No AOT binary{(aot is null ? "" : " at " + aot)}: only the framework-dependent builds were timed (run bench/run.sh without --quick to publish it).");
        }

        if (hello is not null && File.Exists(hello))
        {
            variants.Add(new Variant("hello", hello, []));
        }
        else
        {
            result.Notes.Add($"No AOT hello floor{(hello is null ? "" : " at " + hello)} (bench/run.sh builds it from bench/Hello with the AOT publish).");
        }

        variants.Add(new Variant("apphost", Path.Combine(fdd, "simian"), ["validate", profile]));
        variants.Add(new Variant("dotnet-dll", "dotnet", [Path.Combine(fdd, "simian.dll"), "validate", profile]));

        if (publishLog is not null)
        {
            CheckPublish(result, publishLog, publishSeconds, aot);
        }

        var useHyperfine = timer == "hyperfine" || (timer == "auto" && OnPath("hyperfine"));
        var own = TimeInterleaved(variants, runs, warmup, log);
        Dictionary<string, List<double>>? hyper = null;
        if (useHyperfine)
        {
            hyper = await TimeWithHyperfineAsync(variants, runs, log).ConfigureAwait(false);
        }
        else
        {
            result.Notes.Add("hyperfine is not on PATH (apt-get install -y hyperfine): only the harness's own process timer was used.");
        }

        var primary = hyper ?? own;
        var primaryName = hyper is null ? "own interleaved timer" : "hyperfine -N";
        foreach (var (name, source) in new[] { ("hyperfine", hyper), ("own", own) })
        {
            if (source is null)
            {
                continue;
            }

            var timers = new JsonObject();
            foreach (var v in variants)
            {
                timers[v.Name] = BenchResult.Json(new Stats(source[v.Name]).Summary());
            }

            result.Data[name + "Ms"] = timers;
        }

        result.Data["commands"] = new JsonObject(variants.Select(v => KeyValuePair.Create(v.Name, (JsonNode?)JsonValue.Create(v.CommandLine))));
        var footprint = variants.ToDictionary(v => v.Name, Footprint);
        result.Data["footprint"] = new JsonObject(footprint.Where(f => f.Value is not null)
            .Select(f => KeyValuePair.Create(f.Key, (JsonNode?)new JsonObject { ["minorPageFaults"] = f.Value!.Value.Faults, ["maxRssKiB"] = f.Value!.Value.RssKiB })));
        string Faults(string name) => footprint[name] is { } f ? $"{f.Faults} page faults, {f.RssKiB / 1024.0:0.0} MiB RSS" : "page faults not measured (no /usr/bin/time)";

        var medians = variants.ToDictionary(v => v.Name, v => new Stats(primary[v.Name]).Median);
        var ownMedians = variants.ToDictionary(v => v.Name, v => new Stats(own[v.Name]).Median);
        if (medians.TryGetValue("aot", out var aotMs))
        {
            if (medians.TryGetValue("hello", out var helloMs))
            {
                var ratio = aotMs / helloMs;
                result.Check("Start-up: AOT `validate` median ÷ AOT hello floor median (same run)", $"≤ {TargetRatio:0}×",
                    $"{BenchResult.F(ratio, 2)}× ({BenchResult.F(aotMs, 2)} ms vs {BenchResult.F(helloMs, 2)} ms, {primaryName}; own timer {BenchResult.F(ownMedians["aot"] / ownMedians["hello"], 2)}×; "
                    + $"validate {Faults("aot")}, hello {Faults("hello")})", ratio <= TargetRatio);
                result.Check("Start-up: AOT `--version` median ÷ AOT hello floor median", "report",
                    $"{BenchResult.F(medians["aot-version"] / helloMs, 2)}× ({BenchResult.F(medians["aot-version"], 2)} ms; {Faults("aot-version")})", null);
            }
            else
            {
                result.Check("Start-up: AOT `validate` median wall time (no hello floor built)", "report",
                    $"{BenchResult.F(aotMs, 1)} ms, min {BenchResult.F(primary["aot"].Min(), 1)} ms ({primaryName}; {Faults("aot")})", null);
            }

            result.Check("Start-up ratio apphost / AOT (median)", "report", $"{BenchResult.F(medians["apphost"] / aotMs, 1)}× ({BenchResult.F(medians["apphost"], 1)} ms)", null);
            result.Check("Start-up ratio `dotnet simian.dll` / AOT (median)", "report", $"{BenchResult.F(medians["dotnet-dll"] / aotMs, 1)}× ({BenchResult.F(medians["dotnet-dll"], 1)} ms)", null);
            result.Data["aotBinaryBytes"] = new FileInfo(aot!).Length;
        }
        else
        {
            result.Check("Start-up: apphost `validate` median (no AOT binary)", "report", $"{BenchResult.F(medians["apphost"], 1)} ms", null);
        }

        result.Notes.Add($"{runs} timed runs per variant after {warmup} warm-up runs; figures in the table are from {primaryName}.");
        return result;
    }

    /// <summary>Minor page faults and peak RSS of one run, from GNU time (null when it is not installed).</summary>
    private static (long Faults, long RssKiB)? Footprint(Variant variant)
    {
        if (!File.Exists("/usr/bin/time"))
        {
            return null;
        }

        var report = Path.Combine(Path.GetTempPath(), $"simian-bench-time-{Environment.ProcessId}.txt");
        try
        {
            var info = ChildProcess.Info("/usr/bin/time", ["-o", report, "-f", "%R %M", variant.Program, .. variant.Args]);
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            using var process = Process.Start(info) ?? throw new BenchFailedException($"cannot start /usr/bin/time {variant.CommandLine}");
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000) || process.ExitCode != 0)
            {
                throw new BenchFailedException($"/usr/bin/time {variant.CommandLine} failed");
            }

            var parts = File.ReadAllText(report).Trim().Split(' ');
            return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>Every timed run launches the variants in a rotating order, so none is always first after a pause.</summary>
    private static Dictionary<string, List<double>> TimeInterleaved(List<Variant> variants, int runs, int warmup, TextWriter log)
    {
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (var i = 0; i < warmup; i++)
        {
            foreach (var v in variants)
            {
                RunOnce(v);
            }
        }

        for (var i = 0; i < runs; i++)
        {
            for (var k = 0; k < variants.Count; k++)
            {
                var v = variants[(i + k) % variants.Count];
                times[v.Name].Add(RunOnce(v));
            }
        }

        foreach (var v in variants)
        {
            log.WriteLine($"startup (own timer) {v.Name,-10} median {new Stats(times[v.Name]).Median,7:F1} ms  p90 {new Stats(times[v.Name]).P90,7:F1} ms");
        }

        return times;
    }

    private static double RunOnce(Variant variant)
    {
        var info = ChildProcess.Info(variant.Program, variant.Args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new BenchFailedException($"cannot start {variant.CommandLine}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var elapsed = Ticks.SinceMs(start);
        if (process.ExitCode != 0)
        {
            throw new BenchFailedException($"{variant.CommandLine} exited with {process.ExitCode}\n{stdout.Result}{stderr.Result}");
        }

        return elapsed;
    }

    /// <summary>hyperfine runs one command at a time, so the runs are split into rounds that alternate the variants.</summary>
    private static async Task<Dictionary<string, List<double>>> TimeWithHyperfineAsync(List<Variant> variants, int runs, TextWriter log)
    {
        const int perRound = 10;
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var json = Path.Combine(Path.GetTempPath(), $"simian-bench-hyperfine-{Environment.ProcessId}.json");
        var rounds = (runs + perRound - 1) / perRound;
        try
        {
            for (var r = 0; r < rounds; r++)
            {
                var count = Math.Min(perRound, runs - (r * perRound));
                for (var k = 0; k < variants.Count; k++)
                {
                    var v = variants[(r + k) % variants.Count];
                    var info = new ProcessStartInfo("hyperfine") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                    foreach (var a in new[] { "-N", "--style", "none", "--warmup", "2", "--runs", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--export-json", json, v.CommandLine })
                    {
                        info.ArgumentList.Add(a);
                    }

                    using var process = Process.Start(info)!;
                    var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false) + await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                    if (process.ExitCode != 0)
                    {
                        throw new BenchFailedException($"hyperfine failed for {v.CommandLine}:\n{output}");
                    }

                    using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json).ConfigureAwait(false));
                    foreach (var t in doc.RootElement.GetProperty("results")[0].GetProperty("times").EnumerateArray())
                    {
                        times[v.Name].Add(t.GetDouble() * 1000);
                    }
                }
            }
        }
        finally
        {
            File.Delete(json);
        }

        foreach (var v in variants)
        {
            log.WriteLine($"startup (hyperfine) {v.Name,-10} median {new Stats(times[v.Name]).Median,7:F1} ms  p90 {new Stats(times[v.Name]).P90,7:F1} ms");
        }

        return times;
    }

    private static void CheckPublish(BenchResult result, string publishLog, string? publishSeconds, string? aot)
    {
        if (!File.Exists(publishLog))
        {
            result.Notes.Add($"AOT publish log {publishLog} not found.");
            return;
        }

        var warnings = File.ReadLines(publishLog).Where(l => WarningLine().IsMatch(l)).Distinct().ToList();
        var built = aot is not null && File.Exists(aot);
        result.Check("AOT publish (`dotnet publish -r linux-x64 -p:PublishAot=true`) warnings", "0",
            $"{warnings.Count} warning(s){(publishSeconds is null ? "" : $", {publishSeconds} s")}", built && warnings.Count == 0);
        result.Data["aotPublishWarnings"] = new JsonArray([.. warnings.Take(20).Select(w => (JsonNode)JsonValue.Create(w))]);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    [GeneratedRegex(@":\s+warning\s+[A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();
}
