using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>latency-precision</c>: how exact the proxy's <c>latency</c> toxic is, on one connection and on many. Request/
/// response, first with no toxic (the baseline round trip), then with a fixed delay, then (at the largest connection
/// count) with jitter; the added delay of a request is its round trip minus the baseline median. Each round trip is
/// timed twice: to the kernel's arrival stamp of the reply (SO_TIMESTAMPNS: what the proxy delivered, which the
/// target judges) and to when the client thread had it (what a client sees, reported beside it).
/// </summary>
public static class LatencyPrecisionBenchmark
{
    private static readonly double[] Quantiles = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var requests = args.Int("requests", 1000);
        var connectionCounts = args.Ints("connections", "1,50");
        var singleRequests = args.Int("single-requests", 300);
        var delayMs = args.Double("delay", 100);
        var jitterMs = args.Double("jitter", 20);
        var baselineRequests = args.Int("baseline-requests", 500);
        args.EnsureAllRead();

        using var echo = new EchoServer();
        await using var proxy = await ProxyUnderTest.StartAsync(simian, echo.Address).ConfigureAwait(false);
        var result = new BenchResult("latency-precision", args);
        result.Data["proxyProcess"] = simian;

        // Warm the proxy's paths (and this process's JIT) before anything is measured.
        RunRequests(proxy.Listen, Math.Min(200, baselineRequests), Math.Min(connectionCounts.Max(), 10), 0);
        List<double> fixedNoise = [];
        foreach (var connections in connectionCounts)
        {
            var count = connections == 1 ? Math.Min(requests, singleRequests) : requests;
            var baseline = RunRequests(proxy.Listen, baselineRequests, connections, 0);
            var baseArrival = new Stats(baseline.Select(s => s.ArrivalMs)).Median;
            var baseClient = new Stats(baseline.Select(s => s.ClientMs)).Median;
            log.WriteLine($"latency-precision x{connections}: baseline round trip through the proxy median {baseArrival:F3} ms to arrival, {baseClient:F3} ms to the client");

            await proxy.AddLatencyAsync("fixed", delayMs, 0).ConfigureAwait(false);
            var samples = RunRequests(proxy.Listen, count, connections, delayMs);
            await proxy.RemoveToxicAsync("fixed").ConfigureAwait(false);
            var arrival = new Stats(samples.Select(s => s.ArrivalMs - baseArrival));
            var client = new Stats(samples.Select(s => s.ClientMs - baseClient));
            log.WriteLine($"latency-precision x{connections}: {delayMs} ms toxic → added median {arrival.Median:F3} ms p99 {arrival.P99:F3} ms max {arrival.Max:F3} ms at arrival; "
                + $"median {client.Median:F3} ms p99 {client.P99:F3} ms at the client");
            var on = connections == 1 ? "one connection" : $"{connections} connections";
            result.Check($"Latency toxic {delayMs:0} ms, {on}: added delay median ({arrival.Count} requests)", $"{delayMs:0} ± 1 ms",
                $"{BenchResult.F(arrival.Median, 2)} ms at arrival ({BenchResult.F(client.Median, 2)} ms when the client thread had it)", Math.Abs(arrival.Median - delayMs) <= 1);
            result.Check($"Latency toxic {delayMs:0} ms, {on}: added delay p99", $"≤ {delayMs + 3:0} ms",
                $"{BenchResult.F(arrival.P99, 2)} ms at arrival, max {BenchResult.F(arrival.Max, 2)} ms ({BenchResult.F(client.P99, 2)} ms, max {BenchResult.F(client.Max, 2)} ms at the client)", arrival.P99 <= delayMs + 3);
            result.Data[$"x{connections}"] = new JsonObject
            {
                ["baselineArrivalMs"] = Math.Round(baseArrival, 4),
                ["baselineClientMs"] = Math.Round(baseClient, 4),
                ["fixedAddedAtArrivalMs"] = BenchResult.Json(arrival.Summary()),
                ["fixedAddedAtClientMs"] = BenchResult.Json(client.Summary()),
            };
            if (connections == connectionCounts.Max())
            {
                fixedNoise = [.. samples.Select(s => s.ArrivalMs - baseArrival - delayMs)];
            }
        }

        var most = connectionCounts.Max();
        var jitterBaseline = new Stats(RunRequests(proxy.Listen, baselineRequests, most, 0).Select(s => s.ArrivalMs)).Median;
        await proxy.AddLatencyAsync("jittered", delayMs, jitterMs).ConfigureAwait(false);
        var jittered = new Stats(RunRequests(proxy.Listen, requests, most, delayMs + jitterMs).Select(s => s.ArrivalMs - jitterBaseline));
        await proxy.RemoveToxicAsync("jittered").ConfigureAwait(false);
        double low = delayMs - jitterMs, high = delayMs + jitterMs;
        var d = jittered.KolmogorovSmirnovUniform(low, high);
        var dNoise = jittered.KolmogorovSmirnovUniformPlusNoise(low, high, fixedNoise);
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
        result.Check($"Latency toxic {delayMs:0} ± {jitterMs:0} ms, {most} connections: distribution vs uniform [{low:0}, {high:0}] ms plus the measurement noise of the fixed-delay run (Kolmogorov–Smirnov)",
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
        result.Notes.Add($"Each connection sends a 64-byte request and waits for its echo, again and again ({requests} requests in all; {Math.Min(requests, singleRequests)} on one connection); "
            + "the starts of many connections are spread evenly over one delay so requests do not arrive in lock step. The toxic delays the downstream (response) direction. "
            + "Added delay = round trip − the baseline median round trip through the proxy without a toxic, at the same connection count. "
            + "Round trips end at the kernel's receive timestamp of the reply (SO_TIMESTAMPNS), which the targets judge, and again when the client thread returned "
            + "from its read: the difference is how long the measuring thread took to be scheduled, not the proxy. "
            + "The jitter check compares against uniform convolved with the fixed-delay run's errors (measured − configured), so scheduling "
            + "delays of the client threads on a busy machine are not mistaken for a skewed distribution; a KS test at α = 0.05 still fails "
            + "one run in twenty by chance, which is why the plain-uniform D is reported beside it.");
        return result;
    }

    private readonly record struct Sample(double ArrivalMs, double ClientMs);

    /// <summary>Round trips of <paramref name="total"/> requests spread over the connections, to arrival and to the client, in milliseconds.</summary>
    private static List<Sample> RunRequests(IPEndPoint target, int total, int connections, double spreadMs)
    {
        var perConnection = Math.Max(1, total / connections);
        var times = new List<Sample>(perConnection * connections);
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
                    if (!KernelReceiveTime.Enable(socket))
                    {
                        throw new BenchFailedException("SO_TIMESTAMPNS could not be set on a loopback socket");
                    }

                    var message = new byte[64];
                    var reply = new byte[64];
                    Thread.Sleep(TimeSpan.FromMilliseconds(spreadMs * index / connections));
                    var mine = new List<Sample>(perConnection);
                    for (var i = 0; i < perConnection; i++)
                    {
                        var sent = KernelReceiveTime.NowUnixNs();
                        Loopback.SendAll(socket, message);
                        var arrived = KernelReceiveTime.ReceiveExactly(socket, reply);
                        var had = KernelReceiveTime.NowUnixNs();
                        mine.Add(new Sample((arrived - sent) / 1e6, (had - sent) / 1e6));
                    }

                    lock (times)
                    {
                        times.AddRange(mine);
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
