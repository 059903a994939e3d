using System.Net.Sockets;

namespace Simian.Proxy.Tests;

public sealed class BlackholeToxicTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Blackhole_delivers_nothing_while_the_connection_stays_open()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("hole", "blackhole");

        await client.SendAllAsync("ping"u8.ToArray(), timeout.Token);

        Assert.True(client.StaysSilent(Quiet));
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task Flow_resumes_on_the_open_connection_once_the_blackhole_is_removed()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("hole", "blackhole");
        await client.SendAllAsync("lost"u8.ToArray(), timeout.Token);
        Assert.True(client.StaysSilent(Quiet));

        Assert.True(harness.Server.RemoveToxic(ProxyHarness.ProxyName, "hole"));
        await client.SendAllAsync("back"u8.ToArray(), timeout.Token);

        // What was swallowed stays swallowed: only the new bytes come back.
        Assert.Equal("back"u8.ToArray(), await client.ReceiveExactlyAsync(4, timeout.Token));
        Assert.True(client.StaysSilent(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Blackhole_on_the_upstream_stream_keeps_client_bytes_from_the_upstream()
    {
        using var timeout = TestTimeout.Start();
        var upstreamGot = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = ProxyHarness.Start(async (socket, ct) =>
            upstreamGot.TrySetResult(await socket.ReceiveToEndAsync(ct)));
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("hole", "blackhole", ToxicStream.Upstream);

        await client.SendAllAsync("secret"u8.ToArray(), timeout.Token);
        await Task.Delay(100, timeout.Token);
        harness.Server.RemoveToxic(ProxyHarness.ProxyName, "hole");
        await client.SendAllAsync("seen"u8.ToArray(), timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("seen"u8.ToArray(), await upstreamGot.Task.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task Blackhole_takes_no_attributes()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("hole", "blackhole", attributes: new() { ["delayMs"] = 1 }));

        Assert.Equal(ProxyErrorKind.Invalid, error.Kind);
        Assert.Contains("delayMs", error.Message);
    }
}
