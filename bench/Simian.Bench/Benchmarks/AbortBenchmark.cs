using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>abort</c>: from SIGINT to every fault undone. A run holds three faults — a latency toxic on a
/// <c>simian proxy serve</c> proxy, a stopped sandbox instance and a bucket-deny policy — then gets SIGINT; two
/// pollers watch the proxy API and <c>GET /_sandbox/state</c> and note when each fault is gone, and the process exit
/// is timed too.
/// </summary>
public static class AbortBenchmark
{
    private const double TargetMs = 500;
    private const string Bucket = "site-assets";
    private static readonly TimeSpan PollPause = TimeSpan.FromMilliseconds(2);

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var services = args.String("services") ?? simian;
        var fleet = args.String("fleet", "samples/fleets/sandbox-fleet.yaml");
        var runs = args.Int("runs", 5);
        args.EnsureAllRead();

        var work = Directory.CreateTempSubdirectory("simian-bench-abort-").FullName;
        var result = new BenchResult("abort", args);
        try
        {
            using var echo = new EchoServer();
            await using var sandbox = await SandboxProcess.StartAsync(services, Path.GetFullPath(fleet)).ConfigureAwait(false);
            await using var proxy = await ProxyUnderTest.StartAsync(services, echo.Address).ConfigureAwait(false);
            string originalPolicy;
            using (var state = await sandbox.StateAsync().ConfigureAwait(false))
            {
                originalPolicy = Policy(state.RootElement) ?? "";
            }

            var profile = Path.Combine(work, "abort.yaml");
            await File.WriteAllTextAsync(profile, ProfileYaml(proxy.ControlUrl, sandbox.Endpoint)).ConfigureAwait(false);
            var restored = new List<double>();
            var exited = new List<double>();
            var perRun = new JsonArray();
            for (var r = 0; r < runs; r++)
            {
                var run = await RunOnceAsync(simian, profile, Path.Combine(work, $"run-{r}"), sandbox, proxy, originalPolicy).ConfigureAwait(false);
                log.WriteLine($"abort run {r}: all restored {run.RestoredMs:F1} ms (toxic {run.ToxicMs:F1}, instance {run.InstanceMs:F1}, policy {run.PolicyMs:F1}); exit {run.ExitCode} after {run.ExitMs:F1} ms");
                restored.Add(run.RestoredMs);
                exited.Add(run.ExitMs);
                perRun.Add(new JsonObject
                {
                    ["restoredMs"] = Math.Round(run.RestoredMs, 1),
                    ["toxicGoneMs"] = Math.Round(run.ToxicMs, 1),
                    ["instanceRunningMs"] = Math.Round(run.InstanceMs, 1),
                    ["policyRestoredMs"] = Math.Round(run.PolicyMs, 1),
                    ["exitMs"] = Math.Round(run.ExitMs, 1),
                    ["exitCode"] = run.ExitCode,
                });
            }

            var all = new Stats(restored);
            var exit = new Stats(exited);
            result.Check($"Abort: SIGINT → every fault undone (toxic gone, instance running, policy restored), worst of {all.Count} runs",
                $"≤ {TargetMs:0} ms", $"max {BenchResult.F(all.Max, 1)} ms, median {BenchResult.F(all.Median, 1)} ms", all.Max <= TargetMs);
            result.Check("Abort: SIGINT → process exit (code 130)", "report",
                $"median {BenchResult.F(exit.Median, 1)} ms, max {BenchResult.F(exit.Max, 1)} ms", null);
            result.Data["runs"] = perRun;
            result.Data["restoredMs"] = BenchResult.Json(all.Summary(1));
            result.Data["exitMs"] = BenchResult.Json(exit.Summary(1));
            result.Data["experimentProcess"] = simian;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        result.Notes.Add("Each run: `simian run <profile> --yes` injects a 100 ms latency toxic (proxy served by a separate `simian proxy serve`), "
            + "stops one instance and denies the bucket site-assets in a `simian sandbox` (samples/fleets/sandbox-fleet.yaml), then holds (pause 5m). "
            + "Once the journal shows all three applied and the harness has seen them in place, it sends SIGINT and polls the proxy API and "
            + "GET /_sandbox/state until each is undone; the poll resolution is a few milliseconds.");
        return result;
    }

    private sealed record RunTimes(double RestoredMs, double ToxicMs, double InstanceMs, double PolicyMs, double ExitMs, int ExitCode);

    private static async Task<RunTimes> RunOnceAsync(string simian, string profile, string state, SandboxProcess sandbox, ProxyUnderTest proxy, string originalPolicy)
    {
        Directory.CreateDirectory(state);
        var journal = Path.Combine(state, "journal.jsonl");
        var env = new Dictionary<string, string>(SandboxProcess.Credentials) { ["SIMIAN_STATE_DIR"] = state, ["CI"] = "true" };
        await using var run = ChildProcess.Start(simian, ["run", profile, "--yes", "--journal", journal], env);

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        while (Applied(journal) < 3)
        {
            if (run.Process.HasExited)
            {
                throw new BenchFailedException($"simian run exited with {run.Process.ExitCode} before applying its faults\n{run.Describe()}");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchFailedException($"simian run did not apply three faults within 120 s\n{run.Describe()}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        var instance = StoppedInstance(journal);
        if (!await ToxicPresentAsync(proxy).ConfigureAwait(false))
        {
            throw new BenchFailedException("the latency toxic is not on the proxy although the journal says it was applied");
        }

        using (var before = await sandbox.StateAsync().ConfigureAwait(false))
        {
            if (InstanceState(before.RootElement, instance) != "stopped" || Policy(before.RootElement) == originalPolicy)
            {
                throw new BenchFailedException($"instance {instance} is not stopped or the bucket policy is unchanged although the journal says so");
            }
        }

        // Let the run settle into its hold, as it would be when somebody presses Ctrl-C.
        await Task.Delay(300).ConfigureAwait(false);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = Stopwatch.GetTimestamp();
        run.Signal(ChildProcess.SigInt);
        var exitTask = Task.Run(async () =>
        {
            await run.Process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return Ticks.SinceMs(start);
        });
        var toxicTask = Task.Run(async () =>
        {
            while (await ToxicPresentAsync(proxy).ConfigureAwait(false))
            {
                // A short pause between polls: on two cores a tight loop would slow the rollback it is timing.
                await Task.Delay(PollPause, cts.Token).ConfigureAwait(false);
            }

            return Ticks.SinceMs(start);
        });
        var sandboxTask = Task.Run(async () =>
        {
            double? instanceMs = null, policyMs = null;
            while (instanceMs is null || policyMs is null)
            {
                cts.Token.ThrowIfCancellationRequested();
                using var now = await sandbox.StateAsync(cts.Token).ConfigureAwait(false);
                var at = Ticks.SinceMs(start);
                if (instanceMs is null && InstanceState(now.RootElement, instance) == "running")
                {
                    instanceMs = at;
                }

                if (policyMs is null && Policy(now.RootElement) == originalPolicy)
                {
                    policyMs = at;
                }

                await Task.Delay(PollPause, cts.Token).ConfigureAwait(false);
            }

            return (Instance: instanceMs.Value, Policy: policyMs.Value);
        });

        double toxicMs, exitMs;
        (double Instance, double Policy) sandboxMs;
        try
        {
            toxicMs = await toxicTask.ConfigureAwait(false);
            sandboxMs = await sandboxTask.ConfigureAwait(false);
            exitMs = await exitTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new BenchFailedException($"faults were not all undone within 60 s of SIGINT\n{run.Describe()}");
        }

        if (run.Process.ExitCode != 130)
        {
            throw new BenchFailedException($"simian run exited with {run.Process.ExitCode} after SIGINT, not 130\n{run.Describe()}");
        }

        var restored = Math.Max(toxicMs, Math.Max(sandboxMs.Instance, sandboxMs.Policy));
        return new RunTimes(restored, toxicMs, sandboxMs.Instance, sandboxMs.Policy, exitMs, run.Process.ExitCode);
    }

    private static async Task<bool> ToxicPresentAsync(ProxyUnderTest proxy) =>
        (await proxy.Control.GetToxicsAsync(ProxyUnderTest.ProxyName).ConfigureAwait(false)).Count > 0;

    private static int Applied(string journal)
    {
        if (!File.Exists(journal))
        {
            return 0;
        }

        try
        {
            return File.ReadAllLines(journal).Count(l => l.Contains("\"event\":\"applied\"", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string StoppedInstance(string journal)
    {
        foreach (var line in File.ReadAllLines(journal))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var entry = JsonNode.Parse(line);
            if ((string?)entry?["event"] == "intent" && (string?)entry["fault"] == "instance-stop")
            {
                return (string?)entry["resource"]?["id"] ?? throw new BenchFailedException("the journal's instance-stop intent names no instance");
            }
        }

        throw new BenchFailedException("the journal has no instance-stop intent");
    }

    private static string? InstanceState(JsonElement state, string id) =>
        state.GetProperty("instances").EnumerateArray().Where(i => i.GetProperty("id").GetString() == id)
            .Select(i => i.GetProperty("state").GetString()).FirstOrDefault();

    private static string? Policy(JsonElement state) =>
        state.GetProperty("buckets").EnumerateArray().Where(b => b.GetProperty("name").GetString() == Bucket)
            .Select(b => b.GetProperty("policy").ValueKind == JsonValueKind.Null ? null : b.GetProperty("policy").GetString()).FirstOrDefault();

    private static string ProfileYaml(string proxyControl, string sandboxEndpoint) => $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: bench-abort}
            providers:
              local: {proxyControl: "{{{proxyControl}}}", faultTtl: 30s}
              aws: {region: us-east-1, endpoint: "{{{sandboxEndpoint}}}"}
            targets:
              api: {type: local:proxy, selector: {names: [{{{ProxyUnderTest.ProxyName}}}]}}
              web: {type: aws:ec2:instance, selector: {tags: {app: web, chaos: opt-in}, zones: [us-east-1a]}, pick: {count: 1}}
              assets: {type: aws:s3:bucket, selector: {names: [{{{Bucket}}}]}}
            safety: {allowedAccounts: ["123456789012"], maxDuration: 10m}
            method:
              - {name: slow-api, fault: latency, target: api, params: {delay: 100ms}}
              - {name: stop-one, fault: instance-stop, target: web}
              - {name: deny-reads, fault: bucket-deny, target: assets}
              - {pause: 5m}
            rollback: always
            """;
}
