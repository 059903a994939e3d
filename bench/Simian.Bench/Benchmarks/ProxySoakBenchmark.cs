using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>proxy-soak</c>: steady mixed traffic through <c>simian proxy serve</c> (no toxic) — short echo connections,
/// bulk uploads, and some uploads cut off with a TCP reset — while the proxy process's RSS, threads and open
/// descriptors are sampled from /proc.
/// </summary>
public static class ProxySoakBenchmark
{
    private const double FlatSlackMiB = 8;
    private const double FlatSlackShare = 0.10;

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var duration = args.Duration("duration", TimeSpan.FromMinutes(5));
        var workers = args.Int("workers", 8);
        var sampleEvery = args.Duration("sample", TimeSpan.FromSeconds(1));
        args.EnsureAllRead();

        using var echo = new EchoServer();
        using var sink = new SinkServer();
        await using var proxy = await ProxyUnderTest.StartAsync(simian, echo.Address).ConfigureAwait(false);
        var sinkVia = await proxy.CreateAsync("bench-sink", sink.Address).ConfigureAwait(false);
        var pid = proxy.Process.Pid;
        var idle = ProcStatus.Read(pid);
        var idleSockets = SocketStates.Of(pid);

        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counters = new Counters();
        var threads = Enumerable.Range(0, workers)
            .Select(w => new Thread(() => Work(w, proxy.Listen, sinkVia, stop, counters)) { IsBackground = true, Name = $"soak worker {w}" })
            .ToList();
        threads.ForEach(t => t.Start());

        var begin = Stopwatch.GetTimestamp();
        var samples = new List<(double Seconds, ProcStatus Status)>();
        while (Stopwatch.GetTimestamp() < stop)
        {
            await Task.Delay(sampleEvery).ConfigureAwait(false);
            samples.Add(((Stopwatch.GetTimestamp() - begin) / (double)Stopwatch.Frequency, ProcStatus.Read(pid)));
        }

        foreach (var t in threads)
        {
            t.Join(TimeSpan.FromSeconds(30));
        }

        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var after = ProcStatus.Read(pid);
        var afterSockets = SocketStates.Of(pid);
        if (counters.Failures > 0 && counters.Failures * 100 > counters.Connections)
        {
            throw new BenchFailedException($"{counters.Failures} of {counters.Connections} soak connections failed: {counters.FirstFailure}");
        }

        // The first tenth (at least 10 s, at most half) is warm-up: the GC heap and thread pool grow to their working size there.
        var warmSeconds = Math.Min(duration.TotalSeconds / 2, Math.Max(10, duration.TotalSeconds / 10));
        var steady = samples.Where(s => s.Seconds >= warmSeconds).ToList();
        if (steady.Count < 2)
        {
            steady = samples;
        }

        var start = steady[0].Status;
        var end = steady[^1].Status;
        var max = samples.Max(s => s.Status.RssMiB);
        var slope = SlopeMiBPerMinute(steady);
        var allowed = Math.Max(FlatSlackMiB, start.RssMiB * FlatSlackShare);
        var flat = end.RssMiB - start.RssMiB <= allowed;
        log.WriteLine($"proxy-soak: RSS idle {idle.RssMiB:F1} MiB, start {start.RssMiB:F1}, end {end.RssMiB:F1}, max {max:F1} MiB; slope {slope:F2} MiB/min; {counters.Connections} connections");

        var result = new BenchResult("proxy-soak", args);
        result.Check($"Proxy, no fault: RSS flat over a {duration.TotalSeconds:0} s soak (start → end, max)",
            $"end ≤ start + max({FlatSlackMiB:0} MiB, {FlatSlackShare:P0})",
            $"{BenchResult.F(start.RssMiB, 1)} → {BenchResult.F(end.RssMiB, 1)} MiB, max {BenchResult.F(max, 1)} MiB (idle before {BenchResult.F(idle.RssMiB, 1)} MiB; trend {BenchResult.F(slope)} MiB/min)",
            flat);
        result.Data["proxyProcess"] = simian;
        result.Data["rssMiB"] = new JsonObject
        {
            ["idleBeforeTraffic"] = Math.Round(idle.RssMiB, 1),
            ["startAfterWarmup"] = Math.Round(start.RssMiB, 1),
            ["end"] = Math.Round(end.RssMiB, 1),
            ["max"] = Math.Round(max, 1),
            ["peakVmHWM"] = Math.Round(after.PeakRssMiB, 1),
            ["idleAfterTraffic"] = Math.Round(after.RssMiB, 1),
            ["trendMiBPerMinute"] = Math.Round(slope, 3),
        };
        result.Data["threads"] = new JsonObject { ["idle"] = idle.Threads, ["start"] = start.Threads, ["end"] = end.Threads, ["after"] = after.Threads };
        result.Data["openFds"] = new JsonObject { ["idle"] = idle.OpenFds, ["start"] = start.OpenFds, ["end"] = end.OpenFds, ["after"] = after.OpenFds };
        result.Data["socketsIdle"] = SocketStates.Describe(idleSockets);
        result.Data["socketsAfterTraffic"] = SocketStates.Describe(afterSockets);
        result.Data["traffic"] = new JsonObject
        {
            ["connections"] = counters.Connections,
            ["roundTrips"] = counters.RoundTrips,
            ["bytesUploaded"] = counters.Bytes,
            ["resetOnPurpose"] = counters.Resets,
            ["failures"] = counters.Failures,
        };
        result.Data["samples"] = new JsonArray([.. samples.Select(s => (JsonNode)new JsonArray(Math.Round(s.Seconds, 1), Math.Round(s.Status.RssMiB, 1)))]);
        result.Notes.Add($"{workers} workers for {duration.TotalSeconds:0} s: each loop opens a connection and does 100 echo round trips of 64 bytes, "
            + "or uploads 4 MiB to a discarding server (every 5th upload is cut off after 1 MiB with a TCP reset). "
            + $"RSS is VmRSS of the proxy process every {sampleEvery.TotalSeconds:0.#} s; 'start' is the first sample after {warmSeconds:0.#} s of warm-up.");
        if (Connected(afterSockets) > Connected(idleSockets))
        {
            result.Notes.Add($"Possible socket leak: open descriptors 2 s after the traffic stopped: {after.OpenFds}, against {idle.OpenFds} before it "
                + $"(sockets then: {SocketStates.Describe(afterSockets)}; before: {SocketStates.Describe(idleSockets)}).");
        }

        return result;
    }

    private static void Work(int worker, IPEndPoint echo, IPEndPoint sink, long stop, Counters counters)
    {
        var message = new byte[64];
        var reply = new byte[64];
        var upload = new byte[256 * 1024];
        const int maxLoops = 10_000_000;
        var uploads = 0;
        for (var i = 0; i < maxLoops && Stopwatch.GetTimestamp() < stop; i++)
        {
            try
            {
                Interlocked.Increment(ref counters.Connections);
                if ((i + worker) % 2 == 0)
                {
                    using var socket = Loopback.Connect(echo);
                    ProxyLatencyBenchmark.PingPong(socket, message, reply, 100, null);
                    Interlocked.Add(ref counters.RoundTrips, 100);
                    socket.Shutdown(SocketShutdown.Both);
                }
                else
                {
                    using var socket = Loopback.Connect(sink);
                    var reset = ++uploads % 5 == 0;
                    var total = reset ? 1 << 20 : 4 << 20;
                    for (var sent = 0; sent < total; sent += upload.Length)
                    {
                        Loopback.SendAll(socket, upload);
                    }

                    Interlocked.Add(ref counters.Bytes, total);
                    if (reset)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                        Interlocked.Increment(ref counters.Resets);
                        continue;
                    }

                    socket.Shutdown(SocketShutdown.Send);
                    var ack = new byte[8];
                    if (!Loopback.ReceiveExactly(socket, ack) || BitConverter.ToInt64(ack) != total)
                    {
                        throw new BenchFailedException("the sink did not confirm the upload");
                    }
                }
            }
            catch (Exception e) when (e is SocketException or BenchFailedException)
            {
                if (Interlocked.Increment(ref counters.Failures) == 1)
                {
                    counters.FirstFailure = e.Message;
                }
            }
        }
    }

    private static int Connected(SortedDictionary<string, int> states) => states.Where(kv => kv.Key is not ("LISTEN" or "other")).Sum(kv => kv.Value);

    /// <summary>Least-squares slope of RSS against time.</summary>
    private static double SlopeMiBPerMinute(List<(double Seconds, ProcStatus Status)> samples)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        var mx = samples.Average(s => s.Seconds);
        var my = samples.Average(s => s.Status.RssMiB);
        var sxy = samples.Sum(s => (s.Seconds - mx) * (s.Status.RssMiB - my));
        var sxx = samples.Sum(s => (s.Seconds - mx) * (s.Seconds - mx));
        return sxx == 0 ? 0 : sxy / sxx * 60;
    }

    private sealed class Counters
    {
        public long Connections;
        public long RoundTrips;
        public long Bytes;
        public long Resets;
        public long Failures;
        public string? FirstFailure;
    }
}
