using Microsoft.Extensions.Time.Testing;

namespace Simian.Proxy.Tests;

/// <summary>A ProxyServer behind a control API on an ephemeral loopback port, an echo upstream and a typed client.</summary>
internal sealed class ControlHarness : IAsyncDisposable
{
    private ControlHarness(ProxyServer server, ProxyControlServer control, HttpClient http, TestUpstream upstream, FakeTimeProvider? time)
    {
        Server = server;
        Control = control;
        Http = http;
        Upstream = upstream;
        Time = time;
        Client = new ProxyControlClient(http, control.BaseAddress!);
    }

    public ProxyServer Server { get; }

    public ProxyControlServer Control { get; }

    public HttpClient Http { get; }

    public TestUpstream Upstream { get; }

    public FakeTimeProvider? Time { get; }

    public ProxyControlClient Client { get; }

    public static ControlHarness Start(FakeTimeProvider? time = null)
    {
        var upstream = TestUpstream.Start(Upstreams.Echo);
        var server = new ProxyServer(time ?? TimeProvider.System, new Random(5));
        var control = new ProxyControlServer(server, "127.0.0.1:0");
        control.Start();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return new ControlHarness(server, control, http, upstream, time);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Control.DisposeAsync();
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
