using System.Net.Sockets;

namespace Simian.Proxy.Tests;

/// <summary>An upstream, a ProxyServer and one proxy "p" in front of the upstream, torn down together.</summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    public const string ProxyName = "p";

    private ProxyHarness(TestUpstream upstream, ProxyServer server, ProxyInfo proxy, StringWriter log)
    {
        Upstream = upstream;
        Server = server;
        Proxy = proxy;
        Log = log;
    }

    public TestUpstream Upstream { get; }

    public ProxyServer Server { get; }

    public ProxyInfo Proxy { get; }

    public StringWriter Log { get; }

    public static ProxyHarness Start(Func<Socket, CancellationToken, Task> upstreamHandler, TimeProvider? time = null, int seed = 42)
    {
        var upstream = TestUpstream.Start(upstreamHandler);
        var log = new StringWriter();
        var server = new ProxyServer(time ?? TimeProvider.System, new Random(seed), log);
        ProxyInfo proxy = server.CreateProxy(ProxyName, "127.0.0.1:0", upstream.Address);
        return new ProxyHarness(upstream, server, proxy, log);
    }

    public Task<Socket> ConnectAsync(CancellationToken cancellationToken) =>
        SocketTestExtensions.ConnectAsync(Proxy.Listen, cancellationToken);

    public ToxicInfo AddToxic(string name, string type, ToxicStream stream = ToxicStream.Downstream, long ttlMs = 60_000, Dictionary<string, double>? attributes = null) =>
        Server.AddToxic(ProxyName, new ToxicSpec(name, type, stream, ttlMs, attributes));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
