using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Simian.Proxy.Tests;

public sealed class ProxyControlClientTests
{
    private static readonly Dictionary<string, double> Delay100 = new() { ["delayMs"] = 100 };

    [Fact]
    public async Task Health_reports_ok()
    {
        await using var harness = ControlHarness.Start();

        Assert.Equal("ok", await harness.Client.GetHealthAsync());
    }

    [Fact]
    public async Task Creating_a_proxy_returns_it_with_the_bound_port_and_it_forwards()
    {
        using var timeout = TestTimeout.Start();
        await using var harness = ControlHarness.Start();

        ProxyInfo created = await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address, timeout.Token);

        Assert.Equal("db", created.Name);
        Assert.NotEqual(0, IPEndPoint.Parse(created.Listen).Port);
        Assert.Equal(harness.Upstream.Address, created.Upstream);
        Assert.Empty(created.Toxics);
        using Socket client = await SocketTestExtensions.ConnectAsync(created.Listen, timeout.Token);
        await client.SendAllAsync("ping"u8.ToArray(), timeout.Token);
        Assert.Equal("ping"u8.ToArray(), await client.ReceiveExactlyAsync(4, timeout.Token));
    }

    [Fact]
    public async Task Proxies_are_listed_and_fetched_by_name()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("b", "127.0.0.1:0", harness.Upstream.Address);
        await harness.Client.CreateProxyAsync("a", "127.0.0.1:0", harness.Upstream.Address);

        IReadOnlyList<ProxyInfo> proxies = await harness.Client.GetProxiesAsync();
        ProxyInfo b = await harness.Client.GetProxyAsync("b");

        Assert.Equal(["a", "b"], proxies.Select(p => p.Name));
        Assert.Equal(proxies[1].Listen, b.Listen);
    }

    [Fact]
    public async Task A_duplicate_proxy_name_is_409_with_the_server_message()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("proxy 'db' already exists", error.Message);
    }

    [Theory]
    [InlineData("", "127.0.0.1:0", "127.0.0.1:80")]
    [InlineData("db", "nowhere", "127.0.0.1:80")]
    [InlineData("db", "127.0.0.1:0", "no-port")]
    public async Task Bad_proxy_input_is_400(string name, string listen, string upstream)
    {
        await using var harness = ControlHarness.Start();

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.CreateProxyAsync(name, listen, upstream));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task An_unknown_proxy_is_404_everywhere()
    {
        await using var harness = ControlHarness.Start();
        var spec = new ToxicSpec("t", "latency", ToxicStream.Downstream, 1000, Delay100);

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.GetProxyAsync("nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.RemoveProxyAsync("nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.GetToxicsAsync("nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.AddToxicAsync("nope", spec))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.HeartbeatAsync("nope", "t"))).StatusCode);
        Assert.False(await harness.Client.RemoveToxicAsync("nope", "t"));
    }

    [Fact]
    public async Task Removing_a_proxy_is_204_and_it_is_gone()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        await harness.Client.RemoveProxyAsync("db");

        Assert.Empty(await harness.Client.GetProxiesAsync());
    }

    [Fact]
    public async Task Adding_a_toxic_returns_it_with_its_expiry_and_lists_it_on_the_proxy()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var harness = ControlHarness.Start(time);
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);
        var spec = new ToxicSpec("slow", "latency", ToxicStream.Upstream, 30_000, new Dictionary<string, double> { ["delayMs"] = 100, ["jitterMs"] = 10 });

        ToxicInfo added = await harness.Client.AddToxicAsync("db", spec);

        Assert.Equal(new ToxicInfo("slow", "latency", ToxicStream.Upstream, 30_000, added.Attributes, time.GetUtcNow().AddSeconds(30)), added);
        Assert.Equal(100, added.Attributes["delayMs"]);
        Assert.Equal(10, added.Attributes["jitterMs"]);
        Assert.Equal(["slow"], (await harness.Client.GetToxicsAsync("db")).Select(t => t.Name));
        Assert.Equal(["slow"], (await harness.Client.GetProxyAsync("db")).Toxics.Select(t => t.Name));
    }

    [Fact]
    public async Task A_duplicate_toxic_name_is_409()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);
        var spec = new ToxicSpec("slow", "latency", ToxicStream.Downstream, 30_000, Delay100);
        await harness.Client.AddToxicAsync("db", spec);

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.AddToxicAsync("db", spec));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
    }

    [Fact]
    public async Task An_unknown_toxic_type_is_400_and_lists_the_known_types()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        var error = await Assert.ThrowsAsync<ProxyControlException>(
            () => harness.Client.AddToxicAsync("db", new ToxicSpec("x", "timeout", ToxicStream.Downstream, 1000)));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("unknown toxic type 'timeout'; known types: bandwidth, blackhole, latency, reset", error.Message);
    }

    [Fact]
    public async Task Bad_toxic_attributes_are_400()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.AddToxicAsync(
            "db", new ToxicSpec("x", "bandwidth", ToxicStream.Downstream, 1000, new Dictionary<string, double> { ["bytesPerSecond"] = -1 })));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("bytesPerSecond", error.Message);
    }

    [Fact]
    public async Task Removing_a_toxic_returns_true_then_false_once_it_is_gone()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);
        await harness.Client.AddToxicAsync("db", new ToxicSpec("hole", "blackhole", ToxicStream.Downstream, 30_000));

        Assert.True(await harness.Client.RemoveToxicAsync("db", "hole"));
        Assert.False(await harness.Client.RemoveToxicAsync("db", "hole"));
        Assert.Empty(await harness.Client.GetToxicsAsync("db"));
    }

    [Fact]
    public async Task A_heartbeat_returns_the_new_expiry_and_can_change_the_ttl()
    {
        var time = new FakeTimeProvider();
        await using var harness = ControlHarness.Start(time);
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);
        await harness.Client.AddToxicAsync("db", new ToxicSpec("hole", "blackhole", ToxicStream.Downstream, 1000));

        time.Advance(TimeSpan.FromMilliseconds(900));
        ToxicInfo renewed = await harness.Client.HeartbeatAsync("db", "hole");
        time.Advance(TimeSpan.FromMilliseconds(900));
        ToxicInfo longer = await harness.Client.HeartbeatAsync("db", "hole", ttlMs: 5000);

        Assert.Equal(time.GetUtcNow().AddMilliseconds(100), renewed.ExpiresAt);
        Assert.Equal(time.GetUtcNow().AddMilliseconds(5000), longer.ExpiresAt);
        Assert.Equal(5000, longer.TtlMs);
    }

    [Fact]
    public async Task A_heartbeat_for_a_lapsed_toxic_is_404()
    {
        var time = new FakeTimeProvider();
        await using var harness = ControlHarness.Start(time);
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);
        await harness.Client.AddToxicAsync("db", new ToxicSpec("hole", "blackhole", ToxicStream.Downstream, 1000));

        time.Advance(TimeSpan.FromMilliseconds(1100));

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => harness.Client.HeartbeatAsync("db", "hole"));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Reset_removes_every_toxic()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("a", "127.0.0.1:0", harness.Upstream.Address);
        await harness.Client.CreateProxyAsync("b", "127.0.0.1:0", harness.Upstream.Address);
        await harness.Client.AddToxicAsync("a", new ToxicSpec("hole", "blackhole", ToxicStream.Downstream, 30_000));
        await harness.Client.AddToxicAsync("b", new ToxicSpec("slow", "latency", ToxicStream.Upstream, 30_000, Delay100));

        await harness.Client.ResetAsync();

        Assert.All(await harness.Client.GetProxiesAsync(), p => Assert.Empty(p.Toxics));
    }

    [Fact]
    public async Task An_unreachable_server_is_a_control_exception_without_a_status()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var client = new ProxyControlClient(http, new Uri($"http://127.0.0.1:{port}"));

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => client.GetHealthAsync());

        Assert.Null(error.StatusCode);
        Assert.Contains("cannot reach", error.Message);
    }
}
