using System.Net.Sockets;

namespace Simian.Proxy.Tests;

public sealed class ResetToxicTests
{
    [Fact]
    public async Task Adding_reset_resets_open_connections()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        await client.SendAllAsync("ping"u8.ToArray(), timeout.Token);
        await client.ReceiveExactlyAsync(4, timeout.Token);

        harness.AddToxic("rst", "reset");

        var error = await Assert.ThrowsAsync<SocketException>(() => client.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token).AsTask());
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    [Fact]
    public async Task New_connections_are_reset_while_the_toxic_is_present()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        harness.AddToxic("rst", "reset", ToxicStream.Upstream);

        // The handshake completes in the kernel before the proxy accepts, so the RST can reach the client while its
        // connect is still being reported or only on its first read.
        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using Socket client = await harness.ConnectAsync(timeout.Token);
            await client.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);
        });
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Equal(0, harness.Upstream.Accepted);
    }

    [Fact]
    public async Task Connections_work_again_once_reset_is_removed()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        harness.AddToxic("rst", "reset");

        harness.Server.RemoveToxic(ProxyHarness.ProxyName, "rst");
        using Socket client = await harness.ConnectAsync(timeout.Token);
        await client.SendAllAsync("ping"u8.ToArray(), timeout.Token);

        Assert.Equal("ping"u8.ToArray(), await client.ReceiveExactlyAsync(4, timeout.Token));
    }
}
