using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>proxy-throughput</c>: bulk bytes from client threads to a discarding server, direct and through
/// <c>simian proxy serve</c> (no toxic), alternating; timed from the start signal until the server has
/// acknowledged every byte on every connection. Debian's socat and a minimal blocking forwarder are measured beside
/// it as yardsticks. The one-stream target is a ratio to direct loopback in the same run.
/// </summary>
public static class ProxyThroughputBenchmark
{
    private const double TargetGBps = 1.5;
    private const double TargetOneStreamRatio = 0.6;

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var simian = args.String("simian", DefaultSimian.Path);
        var bytes = args.Size("bytes", 2L << 30);
        var connectionCounts = args.Ints("connections", "1,64");
        var repeats = args.Int("repeats", 3);
        var chunk = (int)args.Size("chunk", 256 * 1024);
        var referenceBuffers = args.String("reference", "none") == "none" ? [] : args.Ints("reference", "64K");
        args.EnsureAllRead();

        var result = new BenchResult("proxy-throughput", args);
        using var sink = new SinkServer();
        var references = referenceBuffers.Select(b => (Buffer: b, Server: new ReferenceForwarder(sink.EndPoint, b))).ToList();
        await using var proxy = await ProxyUnderTest.StartAsync(simian, sink.Address).ConfigureAwait(false);
        await using var socat = await SocatForwarder.TryStartAsync(sink.EndPoint).ConfigureAwait(false);
        if (socat is null)
        {
            result.Notes.Add(SocatForwarder.Missing + ".");
        }

        result.Data["proxyProcess"] = simian;
        result.Data["bytesPerTransfer"] = bytes;

        foreach (var connections in connectionCounts)
        {
            // One short warm-up each way, so JIT tiering and TCP buffer growth are not in the first timed transfer.
            var warm = Math.Min(bytes, 256L << 20);
            Transfer(sink.EndPoint, warm, connections, chunk);
            Transfer(proxy.Listen, warm, connections, chunk);

            var direct = new List<double>();
            var proxied = new List<double>();
            double proxyUser = 0, proxySystem = 0;
            long proxySwitches = 0;
            for (var r = 0; r < repeats; r++)
            {
                var proxiedFirst = r % 2 == 1;
                foreach (var viaProxy in proxiedFirst ? new[] { true, false } : [false, true])
                {
                    var cpu0 = ProcCpu.Split(proxy.Process.Pid);
                    var switches0 = ProcSwitches.Total(proxy.Process.Pid);
                    var seconds = Transfer(viaProxy ? proxy.Listen : sink.EndPoint, bytes, connections, chunk);
                    if (viaProxy)
                    {
                        var cpu1 = ProcCpu.Split(proxy.Process.Pid);
                        proxyUser += cpu1.User - cpu0.User;
                        proxySystem += cpu1.System - cpu0.System;
                        proxySwitches += ProcSwitches.Total(proxy.Process.Pid) - switches0;
                    }

                    (viaProxy ? proxied : direct).Add(bytes / seconds / 1e9);
                }
            }

            var d = new Stats(direct);
            var p = new Stats(proxied);
            log.WriteLine($"proxy-throughput x{connections}: direct median {d.Median:F2} GB/s, proxied median {p.Median:F2} GB/s ({p.Median / d.Median:P0})");
            var measured = $"{BenchResult.F(p.Median)} GB/s proxied vs {BenchResult.F(d.Median)} GB/s direct (ratio {BenchResult.F(p.Median / d.Median)})";
            if (connections == 1)
            {
                result.Check("Proxy, no fault: throughput on one stream (median), ratio to direct loopback", $"≥ {TargetOneStreamRatio}×",
                    $"{BenchResult.F(p.Median / d.Median)}× ({BenchResult.F(p.Median)} GB/s proxied vs {BenchResult.F(d.Median)} GB/s direct)", p.Median / d.Median >= TargetOneStreamRatio);
            }
            else
            {
                // The issue asks for the same 1.5 GB/s "on one stream and at 64 concurrent connections".
                result.Check($"Proxy, no fault: aggregate throughput at {connections} concurrent connections (median)", $"≥ {TargetGBps} GB/s", measured, p.Median >= TargetGBps);
            }

            var gigabytes = bytes * (double)repeats / 1e9;
            var series = new JsonObject
            {
                ["directGBps"] = BenchResult.Json(d.Summary()),
                ["proxiedGBps"] = BenchResult.Json(p.Summary()),
                ["proxyUserCpuSecondsPerGB"] = Math.Round(proxyUser / gigabytes, 3),
                ["proxySystemCpuSecondsPerGB"] = Math.Round(proxySystem / gigabytes, 3),
                ["proxyContextSwitchesPerMB"] = Math.Round(proxySwitches / (gigabytes * 1000), 1),
            };
            log.WriteLine($"proxy-throughput x{connections}: the proxy process used {proxyUser / gigabytes:F2} user + {proxySystem / gigabytes:F2} system CPU-s and {proxySwitches / gigabytes:F0} context switches per GB");
            result.Check($"Proxy process CPU per GB forwarded, {(connections == 1 ? "one stream" : $"{connections} connections")} (user + system)", "report",
                $"{BenchResult.F((proxyUser + proxySystem) / gigabytes)} CPU-s/GB ({BenchResult.F(proxyUser / gigabytes)} user + {BenchResult.F(proxySystem / gigabytes)} system), "
                + $"{BenchResult.F(proxySwitches / gigabytes / 1000, 1)} context switches per MB", null);
            if (socat is not null)
            {
                // A yardstick that fails is reported, not the end of the benchmark: simian's own figures above stand.
                try
                {
                    var viaSocat = TimeYardstick(socat.EndPoint, Math.Min(warm, 64L << 20), bytes, repeats, connections, chunk);
                    log.WriteLine($"proxy-throughput x{connections}: socat median {viaSocat.Median:F2} GB/s");
                    series["socatGBps"] = BenchResult.Json(viaSocat.Summary());
                    result.Check($"Yardstick: socat (TCP-LISTEN,fork → TCP, default 8 KiB buffer), {connections} connection(s)", "report",
                        $"{BenchResult.F(viaSocat.Median)} GB/s (ratio to direct {BenchResult.F(viaSocat.Median / d.Median)}; simian's proxy {BenchResult.F(p.Median / viaSocat.Median, 1)}× socat)", null);
                }
                catch (BenchFailedException e)
                {
                    log.WriteLine($"proxy-throughput x{connections}: the socat yardstick failed: {e.Message}");
                    result.Notes.Add($"The socat yardstick at {connections} connection(s) failed ({e.Message}); simian's figures are unaffected.");
                }
            }

            foreach (var (buffer, server) in references)
            {
                var reference = TimeYardstick(server.EndPoint, warm, bytes, repeats, connections, chunk);
                var kib = buffer / 1024;
                log.WriteLine($"proxy-throughput x{connections}: reference forwarder ({kib} KiB buffers) median {reference.Median:F2} GB/s");
                series[$"referenceForwarder{kib}KiBGBps"] = BenchResult.Json(reference.Summary());
                result.Check($"Yardstick: minimal blocking forwarder ({kib} KiB buffers, 2 threads per connection), {connections} connection(s)", "report",
                    $"{BenchResult.F(reference.Median)} GB/s (ratio to direct {BenchResult.F(reference.Median / d.Median)})", null);
            }

            result.Data[$"x{connections}"] = series;
        }

        references.ForEach(r => r.Server.Dispose());

        result.Notes.Add($"{repeats} transfers of {bytes / (double)(1L << 30):0.###} GiB each way per connection count (split evenly over the connections), "
            + $"alternating direct/proxied, {chunk / 1024} KiB writes; GB/s = 10^9 bytes per second.");
        return result;
    }

    /// <summary>
    /// A yardstick's GB/s over <paramref name="repeats"/> transfers after one warm-up: timed after simian's proxy, not
    /// interleaved with it, as it is a yardstick, not the subject.
    /// </summary>
    private static Stats TimeYardstick(IPEndPoint target, long warm, long bytes, int repeats, int connections, int chunk)
    {
        Transfer(target, warm, connections, chunk);
        return new Stats(Enumerable.Range(0, repeats).Select(_ => bytes / Transfer(target, bytes, connections, chunk) / 1e9));
    }

    /// <summary>Seconds to move <paramref name="bytes"/> over <paramref name="connections"/> connections and have the sink confirm the count.</summary>
    internal static double Transfer(IPEndPoint target, long bytes, int connections, int chunk)
    {
        var perConnection = bytes / connections;
        var start = new Barrier(connections + 1);
        var failures = new List<Exception>();
        var threads = new List<Thread>();
        for (var c = 0; c < connections; c++)
        {
            var thread = new Thread(() =>
            {
                var waited = false;
                try
                {
                    using var socket = Loopback.Connect(target);
                    var buffer = new byte[chunk];
                    waited = true;
                    start.SignalAndWait(TimeSpan.FromSeconds(60));
                    for (long sent = 0; sent < perConnection;)
                    {
                        var n = (int)Math.Min(chunk, perConnection - sent);
                        Loopback.SendAll(socket, buffer.AsSpan(0, n));
                        sent += n;
                    }

                    socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                    var ack = new byte[8];
                    if (!Loopback.ReceiveExactly(socket, ack) || BitConverter.ToInt64(ack) != perConnection)
                    {
                        throw new BenchFailedException($"the sink did not confirm {perConnection} bytes");
                    }
                }
                catch (Exception e)
                {
                    if (!waited)
                    {
                        start.RemoveParticipant();
                    }

                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }
            })
            { IsBackground = true, Name = "throughput client" };
            thread.Start();
            threads.Add(thread);
        }

        if (!start.SignalAndWait(TimeSpan.FromSeconds(60)))
        {
            throw new BenchFailedException("the clients did not connect within 60 s");
        }

        var begin = Stopwatch.GetTimestamp();
        foreach (var t in threads)
        {
            if (!t.Join(TimeSpan.FromMinutes(5)))
            {
                throw new BenchFailedException("a transfer did not finish within 5 minutes");
            }
        }

        var seconds = (Stopwatch.GetTimestamp() - begin) / (double)Stopwatch.Frequency;
        if (failures.Count > 0)
        {
            throw new BenchFailedException($"{failures.Count} transfer(s) failed: {failures[0].Message}");
        }

        return seconds;
    }
}
