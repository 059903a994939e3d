using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>proxy-latency</c>: ping-pong of small messages over one connection, direct to an echo server and through
/// <c>simian proxy serve</c> (no toxic), through Debian's socat (the peer yardstick) and through a minimal blocking
/// forwarder, in alternating blocks; the difference of the medians is what each hop adds. The target is a ratio:
/// simian's added latency against socat's, measured in the same rotation.
/// </summary>
public static class ProxyLatencyBenchmark
{
    private const double TargetRatioToSocat = 2;

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var roundTrips = args.Int("roundtrips", 20_000);
        var warmup = args.Int("warmup", 2_000);
        var block = args.Int("block", 500);
        var size = (int)args.Size("size", 64);
        var processes = args.Int("processes", 3);
        args.EnsureAllRead();

        // Several proxy processes in turn: where the scheduler puts the proxy's threads relative to the client's
        // (same core or the other one, on two cores) moves a whole run's median by tens of microseconds.
        var directUs = new List<double>(roundTrips);
        var proxiedUs = new List<double>(roundTrips);
        var perProcess = new List<double>();
        var perProcessP99 = new List<double>();
        var perProcessReference = new List<double>();
        var perProcessSocat = new List<double>();
        var perProcessSocatP99 = new List<double>();
        using var echo = new EchoServer();
        for (var k = 0; k < processes; k++)
        {
            var (oneDirect, oneProxied, oneReference, oneSocat) = await MeasureOneProcessAsync(simian, echo, roundTrips / processes, warmup, block, size).ConfigureAwait(false);
            directUs.AddRange(oneDirect);
            proxiedUs.AddRange(oneProxied);
            var added = new Stats(oneProxied).Median - new Stats(oneDirect).Median;
            var referenceAdded = new Stats(oneReference).Median - new Stats(oneDirect).Median;
            perProcess.Add(added);
            perProcessP99.Add(new Stats(oneProxied).P99 - new Stats(oneDirect).P99);
            perProcessReference.Add(referenceAdded);
            var socatText = "";
            if (oneSocat is not null)
            {
                var socatAdded = new Stats(oneSocat).Median - new Stats(oneDirect).Median;
                perProcessSocat.Add(socatAdded);
                perProcessSocatP99.Add(new Stats(oneSocat).P99 - new Stats(oneDirect).P99);
                socatText = $", socat {socatAdded:F1} µs";
            }

            log.WriteLine($"proxy-latency: proxy process {k + 1}/{processes}: added median {added:F1} µs (yardstick forwarder {referenceAdded:F1} µs{socatText})");
        }

        var d = new Stats(directUs);
        var p = new Stats(proxiedUs);
        var addedMedian = new Stats(perProcess).Median;
        var addedP99 = new Stats(perProcessP99).Median;
        var referenceMedian = new Stats(perProcessReference).Median;
        log.WriteLine($"proxy-latency: direct median {d.Median:F1} µs p99 {d.P99:F1} µs; proxied median {p.Median:F1} µs p99 {p.P99:F1} µs; added median {addedMedian:F1} µs (median over processes)");

        var result = new BenchResult("proxy-latency", args);
        var absolute = $"{BenchResult.F(addedMedian, 1)} µs (per proxy process: {string.Join(", ", perProcess.Select(a => BenchResult.F(a, 1)))}; all samples: direct {BenchResult.F(d.Median, 1)} µs, proxied {BenchResult.F(p.Median, 1)} µs)";
        if (perProcessSocat.Count > 0)
        {
            var socatMedian = new Stats(perProcessSocat).Median;
            var ratio = addedMedian / socatMedian;
            result.Check($"Proxy, no fault: added round-trip latency, median ({size}-byte ping-pong, one connection) ÷ socat's", $"≤ {TargetRatioToSocat:0}×",
                $"{BenchResult.F(ratio, 2)}× (simian {absolute}; socat {BenchResult.F(socatMedian, 1)} µs, per round: {string.Join(", ", perProcessSocat.Select(a => BenchResult.F(a, 1)))})",
                ratio <= TargetRatioToSocat);
            result.Check("Yardstick: socat (TCP-LISTEN,fork → TCP), added round-trip latency, p99", "report",
                $"{BenchResult.F(new Stats(perProcessSocatP99).Median, 1)} µs (median over rounds)", null);
            result.Data["socatAddedMedianUs"] = new JsonArray([.. perProcessSocat.Select(a => (JsonNode)Math.Round(a, 1))]);
        }
        else
        {
            result.Check($"Proxy, no fault: added round-trip latency, median ({size}-byte ping-pong, one connection)", "report", absolute, null);
            result.Notes.Add(SocatForwarder.Missing + "; the target (a ratio to socat) could not be judged.");
        }

        result.Check("Proxy, no fault: added round-trip latency, p99", "report",
            $"{BenchResult.F(addedP99, 1)} µs (median over proxy processes; all samples: direct p99 {BenchResult.F(d.P99, 1)} µs, proxied p99 {BenchResult.F(p.P99, 1)} µs)", null);
        result.Check("Yardstick: minimal blocking forwarder (a thread per direction, blocking recv/send), added round-trip latency, median", "report",
            $"{BenchResult.F(referenceMedian, 1)} µs (per round of measurement: {string.Join(", ", perProcessReference.Select(a => BenchResult.F(a, 1)))})", null);
        result.Data["directUs"] = BenchResult.Json(d.Summary(1));
        result.Data["proxiedUs"] = BenchResult.Json(p.Summary(1));
        result.Data["proxyProcess"] = simian;
        result.Data["addedMedianUsPerProxyProcess"] = new JsonArray([.. perProcess.Select(a => (JsonNode)Math.Round(a, 1))]);
        result.Data["yardstickAddedMedianUs"] = new JsonArray([.. perProcessReference.Select(a => (JsonNode)Math.Round(a, 1))]);
        result.Notes.Add($"{p.Count} round trips each way over {processes} proxy processes started in turn, in alternating blocks of {block} after {warmup} warm-up round trips per process; "
            + "each round trip is a blocking send of the message and a blocking read of its echo (Nagle off on the harness's sockets). "
            + "Added latency = median over the proxy processes of (proxied − direct) measured with that process, for the median and for p99. "
            + "Two yardsticks in the same alternation: socat (its own process, started per round as `socat TCP-LISTEN:P,bind=127.0.0.1,fork,reuseaddr TCP:127.0.0.1:U`, "
            + "the peer a user would otherwise pick; the target is a ratio to it) and the simplest forwarder there is (ReferenceForwarder: a blocking thread "
            + "per direction, in the harness's process): what any user-space hop costs on this machine.");
        return result;
    }

    private static async Task<(List<double> Direct, List<double> Proxied, List<double> Reference, List<double>? Socat)> MeasureOneProcessAsync(string simian, EchoServer echo, int roundTrips, int warmup, int block, int size)
    {
        await using var proxy = await ProxyUnderTest.StartAsync(simian, echo.Address).ConfigureAwait(false);
        using var forwarder = new ReferenceForwarder(echo.EndPoint, 16 * 1024);
        var socat = await SocatForwarder.TryStartAsync(echo.EndPoint).ConfigureAwait(false);
        Socket[] sockets = [Loopback.Connect(echo.EndPoint), Loopback.Connect(proxy.Listen), Loopback.Connect(forwarder.EndPoint), .. socat is null ? Array.Empty<Socket>() : [Loopback.Connect(socat.EndPoint)]];
        try
        {
            var message = new byte[size];
            Random.Shared.NextBytes(message);
            var reply = new byte[size];
            foreach (var socket in sockets)
            {
                PingPong(socket, message, reply, warmup, null);
            }

            // Direct, proxied and the yardsticks in blocks, the order rotating each round so none always goes first.
            var times = sockets.Select(_ => new List<double>(roundTrips)).ToArray();
            var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 300);
            for (var done = 0; done < roundTrips && Stopwatch.GetTimestamp() < deadline; done += block)
            {
                var n = Math.Min(block, roundTrips - done);
                var round = done / block;
                for (var j = 0; j < sockets.Length; j++)
                {
                    var which = (round + j) % sockets.Length;
                    PingPong(sockets[which], message, reply, n, times[which]);
                }
            }

            return (times[0], times[1], times[2], socat is null ? null : times[3]);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            if (socat is not null)
            {
                await socat.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Round trips of one message on a blocking socket; records each in microseconds when times is given.</summary>
    internal static void PingPong(Socket socket, byte[] message, byte[] reply, int count, List<double>? times)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Loopback.SendAll(socket, message);
            if (!Loopback.ReceiveExactly(socket, reply))
            {
                throw new BenchFailedException("the echo connection closed during the ping-pong");
            }

            times?.Add(Ticks.ToUs(Stopwatch.GetTimestamp() - start));
        }
    }
}
