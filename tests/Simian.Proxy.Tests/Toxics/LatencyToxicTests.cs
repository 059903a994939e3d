using System.Diagnostics;
using System.Net.Sockets;

namespace Simian.Proxy.Tests;

public sealed class LatencyToxicTests
{
    private static readonly byte[] Request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();

    [Fact]
    public async Task Latency_delays_each_response_by_at_least_the_delay()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.HttpLike);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("slow", "latency", attributes: new() { ["delayMs"] = 100 });

        for (int i = 0; i < 5; i++)
        {
            TimeSpan roundTrip = await RoundTripAsync(client, timeout.Token);

            // At least the delay; the exact release time is ToxicChunkTests' job (fake clock), so the ceiling here only
            // catches a delay applied many times over, with room for a loaded machine.
            Assert.InRange(roundTrip.TotalMilliseconds, 100, 5_000);
        }
    }

    [Fact]
    public async Task Latency_on_the_upstream_stream_delays_what_the_client_sends()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.HttpLike);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("slow", "latency", ToxicStream.Upstream, attributes: new() { ["delayMs"] = 100 });

        TimeSpan roundTrip = await RoundTripAsync(client, timeout.Token);

        Assert.InRange(roundTrip.TotalMilliseconds, 100, 5_000);
    }

    [Fact]
    public async Task Latency_is_pipelined_so_back_to_back_chunks_cost_one_delay_not_one_each()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("slow", "latency", attributes: new() { ["delayMs"] = 200 });
        const int Chunks = 10;
        byte[] expected = [.. Enumerable.Range(0, Chunks).SelectMany(i => new byte[] { (byte)i, (byte)(i * 3), (byte)(i * 7) })];

        var clock = Stopwatch.StartNew();
        Task<byte[]> received = client.ReceiveExactlyAsync(expected.Length, timeout.Token);
        for (int i = 0; i < Chunks; i++)
        {
            // Spaced out so each is read as its own chunk by the proxy.
            await client.SendAllAsync(expected.AsMemory(i * 3, 3), timeout.Token);
            await Task.Delay(10, timeout.Token);
        }

        byte[] echoed = await received;
        clock.Stop();

        Assert.Equal(expected, echoed);
        // One delay, not ten (2 s): pipelining is checked exactly in ToxicChunkTests; this bound leaves a loaded machine room.
        Assert.InRange(clock.Elapsed.TotalMilliseconds, 200, Chunks * 200 - 200);
    }

    [Fact]
    public async Task Jitter_keeps_every_delay_within_delay_plus_or_minus_jitter()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.HttpLike);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("jittery", "latency", attributes: new() { ["delayMs"] = 60, ["jitterMs"] = 40 });

        var roundTrips = new List<double>();
        for (int i = 0; i < 15; i++)
        {
            roundTrips.Add((await RoundTripAsync(client, timeout.Token)).TotalMilliseconds);
        }

        Assert.All(roundTrips, ms => Assert.InRange(ms, 20, 5_000));
        Assert.True(roundTrips.Max() - roundTrips.Min() > 10, $"round trips did not vary: {string.Join(", ", roundTrips)}");
    }

    [Fact]
    public async Task Removing_latency_restores_prompt_responses_on_an_open_connection()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.HttpLike);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("slow", "latency", attributes: new() { ["delayMs"] = 1_500 });
        Assert.True((await RoundTripAsync(client, timeout.Token)).TotalMilliseconds >= 1_500);

        harness.Server.RemoveToxic(ProxyHarness.ProxyName, "slow");

        Assert.True((await RoundTripAsync(client, timeout.Token)).TotalMilliseconds < 1_500);
    }

    [Theory]
    [InlineData("delayMs", -1)]
    [InlineData("jitterMs", -1)]
    [InlineData("delayMs", 3_600_001)]
    public async Task Out_of_range_latency_attributes_are_invalid(string attribute, double value)
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        var attributes = new Dictionary<string, double> { ["delayMs"] = 10, [attribute] = value };

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("slow", "latency", attributes: attributes));

        Assert.Equal(ProxyErrorKind.Invalid, error.Kind);
        Assert.Contains(attribute, error.Message);
    }

    private static async Task<TimeSpan> RoundTripAsync(Socket client, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        await client.SendAllAsync(Request, cancellationToken);
        await client.ReceiveExactlyAsync(Upstreams.HttpResponse.Length, cancellationToken);
        return Stopwatch.GetElapsedTime(start);
    }
}
