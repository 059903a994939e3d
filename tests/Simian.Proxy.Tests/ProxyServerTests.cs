using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Simian.Proxy.Tests;

public sealed class ProxyServerTests
{
    [Fact]
    public async Task Bytes_pass_through_unchanged_both_ways_for_an_8_MiB_payload()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        using Socket client = await harness.ConnectAsync(timeout.Token);

        Task<byte[]> echoed = client.ReceiveToEndAsync(timeout.Token);
        await client.SendAllAsync(payload, timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await echoed));
    }

    [Fact]
    public async Task Toxics_added_and_removed_during_a_bulk_transfer_keep_every_byte_in_order()
    {
        // The pump switches between writing directly (with buffers grown to the largest size by a bulk stream)
        // and queueing through the toxics; no chunk may overtake another at either switch.
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        byte[] payload = new byte[32 * 1024 * 1024];
        new Random(11).NextBytes(payload);
        using Socket client = await harness.ConnectAsync(timeout.Token);

        Task<byte[]> echoed = client.ReceiveToEndAsync(timeout.Token);
        const int Chunk = 1024 * 1024;
        for (int i = 0; i < payload.Length / Chunk; i++)
        {
            // Every fourth megabyte goes out while a latency toxic is present, alternately on each stream.
            if (i % 4 == 1)
            {
                harness.AddToxic("slow", "latency", i % 8 == 1 ? ToxicStream.Downstream : ToxicStream.Upstream,
                    attributes: new() { ["delayMs"] = 1 });
            }
            else if (i % 4 == 2)
            {
                Assert.True(harness.Server.RemoveToxic(ProxyHarness.ProxyName, "slow"));
            }

            await client.SendAllAsync(payload.AsMemory(i * Chunk, Chunk), timeout.Token);
        }

        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await echoed));
    }

    [Fact]
    public async Task Client_half_close_reaches_the_upstream_which_can_still_answer()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.CountUntilEnd);
        using Socket client = await harness.ConnectAsync(timeout.Token);

        await client.SendAllAsync(new byte[1000], timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("got 1000", Encoding.ASCII.GetString(await client.ReceiveToEndAsync(timeout.Token)));
    }

    [Fact]
    public async Task Upstream_half_close_reaches_the_client_which_can_still_send()
    {
        using var timeout = TestTimeout.Start();
        var upstreamGot = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = ProxyHarness.Start(async (socket, ct) =>
        {
            await socket.SendAllAsync("hello"u8.ToArray(), ct);
            socket.Shutdown(SocketShutdown.Send);
            upstreamGot.TrySetResult(Encoding.ASCII.GetString(await socket.ReceiveToEndAsync(ct)));
        });
        using Socket client = await harness.ConnectAsync(timeout.Token);

        Assert.Equal("hello", Encoding.ASCII.GetString(await client.ReceiveToEndAsync(timeout.Token)));
        await client.SendAllAsync("late"u8.ToArray(), timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("late", await upstreamGot.Task.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task Many_small_requests_on_concurrent_connections_all_get_their_answers()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.HttpLike);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using Socket client = await harness.ConnectAsync(timeout.Token);
            for (int i = 0; i < 20; i++)
            {
                await client.SendAllAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), timeout.Token);
                Assert.Equal(Upstreams.HttpResponse, await client.ReceiveExactlyAsync(Upstreams.HttpResponse.Length, timeout.Token));
            }
        }));
    }

    [Fact]
    public async Task Listen_port_zero_reports_the_port_actually_bound()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var listen = IPEndPoint.Parse(harness.Proxy.Listen);

        Assert.Equal(IPAddress.Loopback, listen.Address);
        Assert.NotEqual(0, listen.Port);
        Assert.Equal(harness.Proxy.Listen, harness.Server.GetProxy(ProxyHarness.ProxyName).Listen);
    }

    [Fact]
    public async Task Creating_a_proxy_with_a_taken_name_is_a_conflict()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.Server.CreateProxy(ProxyHarness.ProxyName, "127.0.0.1:0", harness.Upstream.Address));

        Assert.Equal(ProxyErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Listening_on_a_port_in_use_is_a_conflict_that_names_the_address()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.Server.CreateProxy("other", harness.Proxy.Listen, harness.Upstream.Address));

        Assert.Equal(ProxyErrorKind.Conflict, error.Kind);
        Assert.Contains(harness.Proxy.Listen, error.Message);
    }

    [Theory]
    [InlineData("bad name", "127.0.0.1:0", "127.0.0.1:1")]
    [InlineData("ok", "127.0.0.1", "127.0.0.1:1")]
    [InlineData("ok", "example.com:0", "127.0.0.1:1")]
    [InlineData("ok", "127.0.0.1:0", "127.0.0.1:0")]
    [InlineData("ok", "127.0.0.1:0", "127.0.0.1:99999")]
    [InlineData("ok", "127.0.0.1:0", "::1:80")]
    public async Task Malformed_names_and_addresses_are_invalid(string name, string listen, string upstream)
    {
        await using var server = new ProxyServer(TimeProvider.System, new Random(1));

        var error = Assert.Throws<ProxyException>(() => server.CreateProxy(name, listen, upstream));

        Assert.Equal(ProxyErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public async Task Removing_a_proxy_closes_its_connections_and_stops_listening()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        await client.SendAllAsync("ping"u8.ToArray(), timeout.Token);
        await client.ReceiveExactlyAsync(4, timeout.Token);

        Assert.True(harness.Server.RemoveProxy(ProxyHarness.ProxyName));

        await AssertClosedAsync(client, timeout.Token);
        await Assert.ThrowsAsync<SocketException>(() => harness.ConnectAsync(timeout.Token));
        Assert.Empty(harness.Server.GetProxies());
        Assert.False(harness.Server.RemoveProxy(ProxyHarness.ProxyName));
    }

    [Fact]
    public async Task An_unreachable_upstream_closes_the_client_and_is_logged()
    {
        using var timeout = TestTimeout.Start();
        int deadPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            deadPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var log = new StringWriter();
        await using var server = new ProxyServer(TimeProvider.System, new Random(1), log);
        ProxyInfo proxy = server.CreateProxy("dead", "127.0.0.1:0", $"127.0.0.1:{deadPort}");
        using Socket client = await SocketTestExtensions.ConnectAsync(proxy.Listen, timeout.Token);

        await AssertClosedAsync(client, timeout.Token);
        Assert.Contains("cannot reach upstream", log.ToString());
    }

    [Fact]
    public async Task Proxies_are_listed_by_name_with_their_toxics_in_the_order_added()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        harness.Server.CreateProxy("a-first", "127.0.0.1:0", harness.Upstream.Address);
        harness.AddToxic("slow", "latency", attributes: new() { ["delayMs"] = 10 });
        harness.AddToxic("hole", "blackhole", ToxicStream.Upstream);

        IReadOnlyList<ProxyInfo> proxies = harness.Server.GetProxies();

        Assert.Equal(["a-first", "p"], proxies.Select(p => p.Name));
        Assert.Equal(["slow", "hole"], proxies[1].Toxics.Select(t => t.Name));
        Assert.Equal(ToxicStream.Upstream, proxies[1].Toxics[1].Stream);
        Assert.Equal(0, proxies[1].Toxics[0].Attributes["jitterMs"]);
    }

    [Fact]
    public async Task A_toxic_lapses_by_itself_when_its_ttl_passes_without_a_heartbeat()
    {
        var time = new FakeTimeProvider();
        await using var harness = ProxyHarness.Start(Upstreams.Echo, time);
        ToxicInfo toxic = harness.AddToxic("hole", "blackhole", ttlMs: 1000);
        Assert.Equal(time.GetUtcNow().AddSeconds(1), toxic.ExpiresAt);

        time.Advance(TimeSpan.FromMilliseconds(990));
        Assert.Single(harness.Server.GetToxics(ProxyHarness.ProxyName));

        time.Advance(ProxyServer.ExpiryCheckInterval + TimeSpan.FromMilliseconds(10));
        Assert.Empty(harness.Server.GetToxics(ProxyHarness.ProxyName));
        Assert.Contains("expired", harness.Log.ToString());
    }

    [Fact]
    public async Task A_heartbeat_renews_the_ttl_from_now()
    {
        var time = new FakeTimeProvider();
        await using var harness = ProxyHarness.Start(Upstreams.Echo, time);
        harness.AddToxic("hole", "blackhole", ttlMs: 1000);

        time.Advance(TimeSpan.FromMilliseconds(800));
        ToxicInfo renewed = harness.Server.Heartbeat(ProxyHarness.ProxyName, "hole");
        time.Advance(TimeSpan.FromMilliseconds(800));

        Assert.Equal(time.GetUtcNow().AddMilliseconds(200), renewed.ExpiresAt);
        Assert.Single(harness.Server.GetToxics(ProxyHarness.ProxyName));

        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Empty(harness.Server.GetToxics(ProxyHarness.ProxyName));
    }

    [Fact]
    public async Task A_heartbeat_can_change_the_ttl()
    {
        var time = new FakeTimeProvider();
        await using var harness = ProxyHarness.Start(Upstreams.Echo, time);
        harness.AddToxic("hole", "blackhole", ttlMs: 1000);

        ToxicInfo renewed = harness.Server.Heartbeat(ProxyHarness.ProxyName, "hole", ttlMs: 5000);
        time.Advance(TimeSpan.FromMilliseconds(4000));

        Assert.Equal(5000, renewed.TtlMs);
        Assert.Single(harness.Server.GetToxics(ProxyHarness.ProxyName));
    }

    [Fact]
    public async Task A_lapsed_toxic_is_not_revived_by_a_late_heartbeat()
    {
        var time = new FakeTimeProvider();
        await using var harness = ProxyHarness.Start(Upstreams.Echo, time);
        harness.AddToxic("hole", "blackhole", ttlMs: 1000);

        // Jumping the clock without the timer getting a turn mimics a heartbeat racing the expiry check.
        time.AdjustTime(time.GetUtcNow().AddSeconds(2));

        var error = Assert.Throws<ProxyException>(() => harness.Server.Heartbeat(ProxyHarness.ProxyName, "hole"));
        Assert.Equal(ProxyErrorKind.NotFound, error.Kind);
        Assert.Empty(harness.Server.GetToxics(ProxyHarness.ProxyName));
    }

    [Fact]
    public async Task An_expired_toxic_heals_open_connections()
    {
        using var timeout = TestTimeout.Start();
        var time = new FakeTimeProvider();
        await using var harness = ProxyHarness.Start(Upstreams.Echo, time);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        harness.AddToxic("hole", "blackhole", ttlMs: 1000);
        await client.SendAllAsync("lost"u8.ToArray(), timeout.Token);
        Assert.True(client.StaysSilent(TimeSpan.FromMilliseconds(200)));

        time.Advance(TimeSpan.FromMilliseconds(1100));
        await client.SendAllAsync("back"u8.ToArray(), timeout.Token);

        Assert.Equal("back"u8.ToArray(), await client.ReceiveExactlyAsync(4, timeout.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(ProxyServer.MaxTtlMs + 1)]
    public async Task A_toxic_needs_a_positive_bounded_ttl(long ttlMs)
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("hole", "blackhole", ttlMs: ttlMs));

        Assert.Equal(ProxyErrorKind.Invalid, error.Kind);
        Assert.Contains("ttlMs", error.Message);
    }

    [Fact]
    public async Task A_second_toxic_with_the_same_name_is_a_conflict()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        harness.AddToxic("hole", "blackhole");

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("hole", "blackhole", ToxicStream.Upstream));

        Assert.Equal(ProxyErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Operations_on_an_unknown_proxy_are_not_found()
    {
        await using var server = new ProxyServer(TimeProvider.System, new Random(1));

        Assert.Equal(ProxyErrorKind.NotFound, Assert.Throws<ProxyException>(() => server.GetProxy("nope")).Kind);
        Assert.Equal(ProxyErrorKind.NotFound, Assert.Throws<ProxyException>(() => server.RemoveToxic("nope", "t")).Kind);
        Assert.Equal(ProxyErrorKind.NotFound, Assert.Throws<ProxyException>(() => server.Heartbeat("nope", "t")).Kind);
        Assert.Equal(ProxyErrorKind.NotFound, Assert.Throws<ProxyException>(
            () => server.AddToxic("nope", new ToxicSpec("t", "blackhole", ToxicStream.Downstream, 1000))).Kind);
    }

    [Fact]
    public async Task Removing_an_absent_toxic_returns_false()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        Assert.False(harness.Server.RemoveToxic(ProxyHarness.ProxyName, "never-added"));
    }

    [Fact]
    public async Task Reset_all_removes_every_toxic_but_keeps_the_proxies()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);
        harness.Server.CreateProxy("second", "127.0.0.1:0", harness.Upstream.Address);
        harness.AddToxic("hole", "blackhole");
        harness.Server.AddToxic("second", new ToxicSpec("slow", "latency", ToxicStream.Upstream, 60_000, new Dictionary<string, double> { ["delayMs"] = 5 }));

        harness.Server.ResetAll();

        Assert.Equal(2, harness.Server.GetProxies().Count);
        Assert.All(harness.Server.GetProxies(), p => Assert.Empty(p.Toxics));
    }

    [Fact]
    public async Task Disposing_the_server_closes_open_connections()
    {
        using var timeout = TestTimeout.Start();
        var harness = ProxyHarness.Start(Upstreams.Echo);
        using Socket client = await harness.ConnectAsync(timeout.Token);
        await client.SendAllAsync("ping"u8.ToArray(), timeout.Token);
        await client.ReceiveExactlyAsync(4, timeout.Token);

        await harness.DisposeAsync();

        await AssertClosedAsync(client, timeout.Token);
        Assert.Throws<ObjectDisposedException>(() => harness.Server.GetProxies());
    }

    private static async Task AssertClosedAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            Assert.Equal(0, await client.ReceiveAsync(new byte[16], SocketFlags.None, cancellationToken));
        }
        catch (SocketException e)
        {
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        }
    }
}
