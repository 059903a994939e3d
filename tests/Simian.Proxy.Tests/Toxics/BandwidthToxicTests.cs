using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Simian.Proxy.Tests;

public sealed class BandwidthToxicTests
{
    [Fact]
    public async Task Bandwidth_slows_a_transfer_to_roughly_the_rate_without_changing_the_bytes()
    {
        using var timeout = TestTimeout.Start();
        byte[] payload = new byte[256 * 1024];
        new Random(3).NextBytes(payload);
        await using var harness = ProxyHarness.Start(Upstreams.Send(payload));
        harness.AddToxic("narrow", "bandwidth", attributes: new() { ["bytesPerSecond"] = 512 * 1024 });

        var clock = Stopwatch.StartNew();
        using Socket client = await harness.ConnectAsync(timeout.Token);
        byte[] received = await client.ReceiveToEndAsync(timeout.Token);
        clock.Stop();

        // 256 KiB at 512 KiB/s is 0.5 s, less the first slice which leaves at once.
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.35, 10);
    }

    [Fact]
    public async Task Bandwidth_on_the_upstream_stream_slows_uploads()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.CountUntilEnd);
        harness.AddToxic("narrow", "bandwidth", ToxicStream.Upstream, attributes: new() { ["bytesPerSecond"] = 200_000 });
        using Socket client = await harness.ConnectAsync(timeout.Token);

        var clock = Stopwatch.StartNew();
        await client.SendAllAsync(new byte[100_000], timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        byte[] answer = await client.ReceiveToEndAsync(timeout.Token);
        clock.Stop();

        Assert.Equal("got 100000"u8.ToArray(), answer);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.35, 10);
    }

    [Fact]
    public async Task Bandwidth_needs_a_positive_rate()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var missing = Assert.Throws<ProxyException>(() => harness.AddToxic("narrow", "bandwidth"));
        var zero = Assert.Throws<ProxyException>(() => harness.AddToxic("narrow", "bandwidth", attributes: new() { ["bytesPerSecond"] = 0 }));

        Assert.Contains("bytesPerSecond", missing.Message);
        Assert.Contains("bytesPerSecond", zero.Message);
    }
}
