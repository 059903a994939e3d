using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>plan-scale</c>: <c>simian plan</c> over a sandbox fleet of N generated instances, side by side with
/// <c>aws ec2 describe-instances</c> listing the same instances with the same filters and page size from the same
/// sandbox process. Runs alternate between the tools; every run's answer is checked (N instances matched).
/// </summary>
public static partial class PlanScaleBenchmark
{
    private const double TargetSpeedup = 3;
    private const double TargetMiB = 200;
    private const int PageSize = 1000;

    private sealed record Tool(string Name, string Program, Func<string, string[]> Args, Func<string, int> Count);

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var simianJit = args.String("simian-jit");
        var sandboxBinary = args.String("sandbox") ?? simianJit ?? simian;
        var aws = args.String("aws", "/usr/bin/aws");
        var counts = args.Ints("counts", "10000,100000");
        var runs = args.Int("runs", 3);
        var warmup = args.Int("warmup", 1);
        var memoryAt = args.Int("memory-target-at", counts.Max());
        args.EnsureAllRead();

        if (!File.Exists(aws))
        {
            throw new BenchFailedException($"{aws} is missing (apt-get install -y awscli)");
        }

        var work = Directory.CreateTempSubdirectory("simian-bench-plan-").FullName;
        var env = new Dictionary<string, string>(SandboxProcess.Credentials) { ["SIMIAN_STATE_DIR"] = Path.Combine(work, "state") };
        var result = new BenchResult("plan-scale", args);
        try
        {
            foreach (var count in counts)
            {
                var fleet = Path.Combine(work, $"fleet-{count}.yaml");
                await File.WriteAllTextAsync(fleet, FleetYaml(count)).ConfigureAwait(false);
                await using var sandbox = await SandboxProcess.StartAsync(sandboxBinary, fleet).ConfigureAwait(false);
                var profile = Path.Combine(work, $"plan-{count}.yaml");
                await File.WriteAllTextAsync(profile, ProfileYaml(count, sandbox.Endpoint)).ConfigureAwait(false);
                log.WriteLine($"plan-scale: sandbox with {count} instances answered after {sandbox.StartSeconds:F1} s");

                var tools = new List<Tool> { SimianTool("simian", simian, profile), SimianTextTool("simian-text", simian, profile) };
                if (simianJit is not null)
                {
                    tools.Add(SimianTool("simian-jit", simianJit, profile));
                }

                tools.Add(new Tool("awscli", aws, endpoint => AwsArgs(sandbox.Endpoint), stdout => stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length));

                var samples = tools.ToDictionary(t => t.Name, _ => new List<(TimedRun Run, double SandboxCpu)>());
                for (var r = -warmup; r < runs; r++)
                {
                    for (var k = 0; k < tools.Count; k++)
                    {
                        var tool = tools[(Math.Max(r, 0) + k) % tools.Count];
                        var sandboxCpu = ProcCpu.Seconds(sandbox.Process.Pid);
                        var run = await TimedProcess.RunAsync(tool.Program, tool.Args(sandbox.Endpoint), env, TimeSpan.FromMinutes(15)).ConfigureAwait(false);
                        sandboxCpu = ProcCpu.Seconds(sandbox.Process.Pid) - sandboxCpu;
                        if (run.ExitCode != 0)
                        {
                            throw new BenchFailedException($"{tool.Name} exited with {run.ExitCode} at {count} instances:\n{Tail(run.Stderr)}");
                        }

                        var listed = tool.Count(run.Stdout);
                        if (listed != count)
                        {
                            throw new BenchFailedException($"{tool.Name} listed {listed} instances, not {count}");
                        }

                        log.WriteLine($"plan-scale: {count,7} {tool.Name,-10} {(r < 0 ? "warm-up" : "run " + r)}: {run.WallMs / 1000,7:F2} s, "
                            + $"max RSS {run.MaxRssMiB,6:F1} MiB, CPU {run.CpuSeconds,6:F2} s (sandbox CPU {sandboxCpu,6:F2} s)");
                        if (r >= 0)
                        {
                            samples[tool.Name].Add((run, sandboxCpu));
                        }
                    }
                }

                Report(result, count, samples, memoryAt);
                result.Data[$"sandboxStartSeconds{count}"] = Math.Round(sandbox.StartSeconds, 2);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        result.Notes.Add($"Each fleet is one generate block of N running instances tagged app=web, chaos=opt-in over 3 zones and 50 groups. "
            + $"simian: `simian plan <profile> --output json` (and `--output text`) with selector tags app=web, states [running] (pick 1%), AOT unless marked jit; "
            + $"awscli: `aws ec2 describe-instances --filters Name=tag:app,Values=web Name=instance-state-name,Values=running --page-size {PageSize} "
            + "--query Reservations[].Instances[].InstanceId --output text`. Both get the same credentials from the environment and "
            + $"talk to the same `simian sandbox` process; {runs} timed runs per tool after {warmup} warm-up, alternating tools. "
            + "Peak memory is GNU time's Maximum resident set size of the tool's process; CPU is the tool's user+system time, and "
            + "'sandbox CPU' what the shared sandbox process spent serving that run (from /proc), which both tools wait for.");
        return result;
    }

    private static void Report(BenchResult result, int count, Dictionary<string, List<(TimedRun Run, double SandboxCpu)>> samples, int memoryAt)
    {
        var n = count.ToString("N0", CultureInfo.InvariantCulture);
        var awsMs = new Stats(samples["awscli"].Select(s => s.Run.WallMs)).Median;
        var perTool = new JsonObject();
        foreach (var (name, runs) in samples)
        {
            perTool[name] = new JsonObject
            {
                ["wallSeconds"] = BenchResult.Json(new Stats(runs.Select(s => s.Run.WallMs / 1000)).Summary()),
                ["maxRssMiB"] = BenchResult.Json(new Stats(runs.Select(s => s.Run.MaxRssMiB)).Summary(1)),
                ["cpuSeconds"] = BenchResult.Json(new Stats(runs.Select(s => s.Run.CpuSeconds)).Summary()),
                ["sandboxCpuSeconds"] = BenchResult.Json(new Stats(runs.Select(s => s.SandboxCpu)).Summary()),
            };
        }

        result.Data[$"n{count}"] = perTool;
        foreach (var (name, runs) in samples.Where(s => s.Key != "awscli"))
        {
            var ms = new Stats(runs.Select(s => s.Run.WallMs)).Median;
            var rss = runs.Max(s => s.Run.MaxRssMiB);
            var speedup = awsMs / ms;
            var awsRss = samples["awscli"].Max(s => s.Run.MaxRssMiB);
            var (label, targeted) = name switch
            {
                "simian" => ("`simian plan --output json`", true),
                "simian-text" => ("`simian plan --output text`", true),
                _ => ($"`simian plan --output json` ({name}, the tool package; no target)", false),
            };
            result.Check($"Plan at {n} instances: {label} vs awscli, wall time (median)", targeted ? $"≥ {TargetSpeedup:0}× faster" : "report",
                $"{BenchResult.F(speedup, 1)}× ({BenchResult.F(ms / 1000)} s vs {BenchResult.F(awsMs / 1000)} s)", targeted ? speedup >= TargetSpeedup : null);
            var memoryTargeted = targeted && count == memoryAt;
            result.Check($"Plan at {n} instances: {label} peak RSS", memoryTargeted ? $"< {TargetMiB:0} MB" : "report",
                $"{BenchResult.F(rss, 1)} MiB = {BenchResult.F(rss * 1.048576, 0)} MB (awscli {BenchResult.F(awsRss, 1)} MiB)", memoryTargeted ? rss * 1.048576 < TargetMiB : null);
        }
    }

    private static Tool SimianTextTool(string name, string program, string profile) =>
        new(name, program, _ => ["plan", profile, "--output", "text", "--seed", "7"], stdout =>
            MatchedText().Match(stdout) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1);

    private static Tool SimianTool(string name, string program, string profile) =>
        new(name, program, _ => ["plan", profile, "--output", "json", "--seed", "7"], stdout =>
        {
            using var doc = JsonDocument.Parse(stdout);
            return doc.RootElement.GetProperty("targets")[0].GetProperty("matched").GetInt32();
        });

    private static string[] AwsArgs(string endpoint) =>
    [
        "ec2", "describe-instances", "--endpoint-url", endpoint, "--region", "us-east-1",
        "--filters", "Name=tag:app,Values=web", "Name=instance-state-name,Values=running",
        "--page-size", PageSize.ToString(CultureInfo.InvariantCulture),
        "--query", "Reservations[].Instances[].InstanceId", "--output", "text",
    ];

    internal static string FleetYaml(int count) => $"""
        # simian bench plan-scale: {count} generated instances
        account: "123456789012"
        region: us-east-1
        identities:
          - {SandboxProcess.IdentityYaml}
        generate:
          - {"{"}count: {count}, type: t3.small, zones: [us-east-1a, us-east-1b, us-east-1c], tags: {"{"}app: web, chaos: opt-in{"}"}, asgs: 50{"}"}
        """;

    private static string ProfileYaml(int count, string endpoint)
    {
        var maxTargets = Math.Max(1, count / 100);
        return $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: bench-plan-{{{count}}}}
            providers:
              aws: {region: us-east-1, endpoint: "{{{endpoint}}}"}
            targets:
              web: {type: aws:ec2:instance, selector: {tags: {app: web}, states: [running]}, pick: {percent: 1}}
            safety: {requireTags: {chaos: opt-in}, allowedRegions: [us-east-1], allowedAccounts: ["123456789012"], maxPercent: 1, maxTargets: {{{maxTargets}}}}
            method:
              - {name: stop, fault: instance-stop, target: web, duration: 1m}
            """;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"selected of (\d+) matched")]
    private static partial System.Text.RegularExpressions.Regex MatchedText();

    private static string Tail(string text) => text.Length > 3000 ? "…" + text[^3000..] : text;
}
