using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>latency-precision</c>: how exact the proxy's <c>latency</c> toxic is. Request/response over many connections
/// at once, first with no toxic (the baseline round trip), then with a fixed delay, then with jitter; the added
/// delay of a request is its round trip minus the baseline median.
/// </summary>
public static class LatencyPrecisionBenchmark
{
    private static readonly double[] Quantiles = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var requests = args.Int("requests", 1000);
        var connections = args.Int("connections", 50);
        var delayMs = args.Double("delay", 100);
        var jitterMs = args.Double("jitter", 20);
        var baselineRequests = args.Int("baseline-requests", 500);
        args.EnsureAllRead();

        using var echo = new EchoServer();
        await using var proxy = await ProxyUnderTest.StartAsync(simian, echo.Address).ConfigureAwait(false);
        var result = new BenchResult("latency-precision", args);
        result.Data["proxyProcess"] = simian;

        // Warm the proxy's paths (and this process's JIT) before anything is measured.
        RunRequests(proxy.Listen, Math.Min(200, baselineRequests), Math.Min(connections, 10), 0);
        var baseline = new Stats(RunRequests(proxy.Listen, baselineRequests, connections, 0));
        log.WriteLine($"latency-precision: baseline round trip through the proxy median {baseline.Median:F3} ms p99 {baseline.P99:F3} ms");
        result.Data["baselineRoundTripMs"] = BenchResult.Json(baseline.Summary());

        await proxy.AddLatencyAsync("fixed", delayMs, 0).ConfigureAwait(false);
        var fixedSamples = RunRequests(proxy.Listen, requests, connections, delayMs).Select(ms => ms - baseline.Median).ToList();
        var fixedDelay = new Stats(fixedSamples);
        await proxy.RemoveToxicAsync("fixed").ConfigureAwait(false);
        log.WriteLine($"latency-precision: {delayMs} ms toxic → added median {fixedDelay.Median:F3} ms p99 {fixedDelay.P99:F3} ms max {fixedDelay.Max:F3} ms");
        result.Check($"Latency toxic {delayMs:0} ms: added delay median ({fixedDelay.Count} requests, {connections} connections)",
            $"{delayMs:0} ± 1 ms", $"{BenchResult.F(fixedDelay.Median, 2)} ms", Math.Abs(fixedDelay.Median - delayMs) <= 1);
        result.Check($"Latency toxic {delayMs:0} ms: added delay p99", $"≤ {delayMs + 3:0} ms",
            $"{BenchResult.F(fixedDelay.P99, 2)} ms (max {BenchResult.F(fixedDelay.Max, 2)} ms)", fixedDelay.P99 <= delayMs + 3);
        result.Data["fixedAddedMs"] = BenchResult.Json(fixedDelay.Summary());

        await proxy.AddLatencyAsync("jittered", delayMs, jitterMs).ConfigureAwait(false);
        var jittered = new Stats(RunRequests(proxy.Listen, requests, connections, delayMs + jitterMs).Select(ms => ms - baseline.Median));
        await proxy.RemoveToxicAsync("jittered").ConfigureAwait(false);
        double low = delayMs - jitterMs, high = delayMs + jitterMs;
        var d = jittered.KolmogorovSmirnovUniform(low, high);
        var noise = fixedSamples.Select(ms => ms - delayMs).ToList();
        var dNoise = jittered.KolmogorovSmirnovUniformPlusNoise(low, high, noise);
        var critical = jittered.KolmogorovSmirnovCritical05;
        var table = new JsonArray();
        foreach (var q in Quantiles)
        {
            table.Add(new JsonObject
            {
                ["q"] = q,
                ["expectedMs"] = Math.Round(low + (q * (high - low)), 2),
                ["measuredMs"] = Math.Round(jittered.Quantile(q), 2),
            });
        }

        log.WriteLine($"latency-precision: {delayMs} ± {jitterMs} ms toxic → KS D = {dNoise:F4} against uniform + the fixed delay's measured noise, {d:F4} against plain uniform (critical {critical:F4} at α=0.05)");
        result.Check($"Latency toxic {delayMs:0} ± {jitterMs:0} ms: distribution vs uniform [{low:0}, {high:0}] ms plus the measurement noise of the fixed-delay run (Kolmogorov–Smirnov)",
            $"D < {BenchResult.F(critical, 3)} (α = 0.05)",
            $"D = {BenchResult.F(dNoise, 4)}; quantiles p5/p50/p95 {BenchResult.F(jittered.Quantile(0.05), 1)}/{BenchResult.F(jittered.Median, 1)}/{BenchResult.F(jittered.Quantile(0.95), 1)} ms (uniform: {BenchResult.F(low + (0.05 * (high - low)), 1)}/{BenchResult.F(delayMs, 1)}/{BenchResult.F(low + (0.95 * (high - low)), 1)})",
            dNoise < critical);
        result.Check($"Latency toxic {delayMs:0} ± {jitterMs:0} ms: distribution vs plain uniform [{low:0}, {high:0}] ms, no allowance for noise (Kolmogorov–Smirnov)",
            "report", $"D = {BenchResult.F(d, 4)} (critical {BenchResult.F(critical, 3)})", null);
        result.Data["jitteredAddedMs"] = BenchResult.Json(jittered.Summary());
        result.Data["jitteredQuantiles"] = table;
        result.Data["ksStatistic"] = Math.Round(d, 5);
        result.Data["ksStatisticWithNoise"] = Math.Round(dNoise, 5);
        result.Data["ksCritical05"] = Math.Round(critical, 5);
        result.Notes.Add($"{connections} connections each send a 64-byte request and wait for its echo, {requests / connections} times in a row; "
            + "their starts are spread evenly over one delay so requests do not arrive in lock step. The toxic delays the downstream (response) direction. "
            + $"Added delay = round trip − baseline median round trip through the proxy without a toxic ({BenchResult.F(baseline.Median, 3)} ms). "
            + "The jitter check compares against uniform convolved with the fixed-delay run's errors (measured − configured), so scheduling "
            + "delays of the 50 client threads on a busy machine are not mistaken for a skewed distribution; a KS test at α = 0.05 still fails "
            + "one run in twenty by chance, which is why the plain-uniform D is reported beside it.");
        return result;
    }

    /// <summary>Round-trip times in milliseconds of <paramref name="total"/> requests spread over the connections.</summary>
    private static List<double> RunRequests(IPEndPoint target, int total, int connections, double spreadMs)
    {
        var perConnection = Math.Max(1, total / connections);
        var times = new List<double>(perConnection * connections);
        var failures = new List<Exception>();
        var threads = new List<Thread>();
        for (var c = 0; c < connections; c++)
        {
            var index = c;
            var thread = new Thread(() =>
            {
                try
                {
                    using var socket = Loopback.Connect(target);
                    var message = new byte[64];
                    var reply = new byte[64];
                    Thread.Sleep(TimeSpan.FromMilliseconds(spreadMs * index / connections));
                    var mine = new List<double>(perConnection);
                    ProxyLatencyBenchmark.PingPong(socket, message, reply, perConnection, mine);
                    lock (times)
                    {
                        times.AddRange(mine.Select(us => us / 1000));
                    }
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }
            })
            { IsBackground = true, Name = "precision client " + index.ToString(CultureInfo.InvariantCulture) };
            thread.Start();
            threads.Add(thread);
        }

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 600);
        foreach (var t in threads)
        {
            var left = TimeSpan.FromSeconds(Math.Max(1, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            if (!t.Join(left))
            {
                throw new BenchFailedException("requests did not finish within 10 minutes");
            }
        }

        if (failures.Count > 0)
        {
            throw new BenchFailedException($"{failures.Count} connection(s) failed: {failures[0].Message}");
        }

        return times;
    }
}
