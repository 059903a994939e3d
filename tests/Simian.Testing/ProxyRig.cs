using Simian.Proxy;

namespace Simian.Testing;

/// <summary>
/// A dependency to break for real: a `simian proxy serve` process with one proxy in front of a `simian demo-server`
/// process, all on loopback, the proxy created and the demo server answering once <see cref="StartAsync"/> returns.
/// Both children are killed on dispose. The test worlds (LocalWorld, ProxyWorld, ChaosWorld) build on it.
/// </summary>
public sealed class ProxyRig : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);

    private readonly SimianProcessOptions _options;
    private readonly string _dir;
    private readonly SimianProcess _upstream;
    private SimianProcess _proxy;

    private ProxyRig(SimianProcessOptions options, string dir, string proxyName, int controlPort, int upstreamPort)
    {
        (_options, _dir, ProxyName, ControlPort, UpstreamPort) = (options, dir, proxyName, controlPort, upstreamPort);
        _upstream = new SimianProcess(options, dir, "demo-server", "--port", upstreamPort.ToString());
        _proxy = StartProxy();
        Control = new ProxyControlClient(Http, new Uri(ControlUrl + "/"));
    }

    public string ProxyName { get; }

    public int ControlPort { get; }

    /// <summary>The control API's base address, without a trailing slash (what a profile's proxyControl takes).</summary>
    public string ControlUrl => $"http://127.0.0.1:{ControlPort}";

    public int UpstreamPort { get; }

    /// <summary>Where the proxy listens, host:port.</summary>
    public string Listen { get; private set; } = "";

    public int ListenPort => int.Parse(Listen[(Listen.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public ProxyControlClient Control { get; }

    /// <summary>What the proxy serve process has logged (it says when a toxic expired).</summary>
    public string ProxyLog => _proxy.Stderr;

    /// <summary>Both children's output, for a failure message.</summary>
    public string Logs => $"--- proxy serve\n{_proxy}\n--- demo-server\n{_upstream}";

    /// <param name="dir">The children's state folder.</param>
    /// <param name="proxyName">The one proxy's name.</param>
    /// <param name="options">How the children start (SIMIAN_DEBUG and such).</param>
    /// <param name="listenPort">Where the proxy listens; a port the proxy picks itself unless given.</param>
    public static async Task<ProxyRig> StartAsync(string dir, string proxyName, SimianProcessOptions? options = null, int? listenPort = null)
    {
        var rig = new ProxyRig(options ?? SimianProcessOptions.Default, dir, proxyName, Wait.FreePort(), Wait.FreePort());
        try
        {
            await rig.WaitForControlAsync();
            await Wait.UntilAsync(async () =>
            {
                try { return (await Http.GetAsync($"http://127.0.0.1:{rig.UpstreamPort}/health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) { return false; }
            }, StartPatience, () => "the demo server\n" + rig.Logs);
            await rig.CreateProxyAsync(listenPort is { } port ? $"127.0.0.1:{port}" : "127.0.0.1:0");
            return rig;
        }
        catch
        {
            // Never leave the child processes running when the rig could not be set up.
            await rig.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<ToxicInfo>> ToxicsAsync() => await Control.GetToxicsAsync(ProxyName);

    /// <summary>Takes the proxy server down (SIGKILL): its control API stops answering and its toxics are gone.</summary>
    public void KillProxy()
    {
        _proxy.Process.Kill();
        _proxy.Process.WaitForExit();
    }

    /// <summary>A new `simian proxy serve` on the same control port, with the same proxy on the same port (and no toxics).</summary>
    public async Task RestartProxyAsync()
    {
        _proxy.Dispose();
        _proxy = StartProxy();
        await WaitForControlAsync();
        await CreateProxyAsync(Listen);
    }

    public ValueTask DisposeAsync()
    {
        _proxy.Dispose();
        _upstream.Dispose();
        return ValueTask.CompletedTask;
    }

    private SimianProcess StartProxy() => new(_options, _dir, "proxy", "serve", "--control", $"127.0.0.1:{ControlPort}");

    private async Task CreateProxyAsync(string listen) =>
        Listen = (await Control.CreateProxyAsync(ProxyName, listen, $"127.0.0.1:{UpstreamPort}")).Listen;

    private Task WaitForControlAsync() => Wait.UntilAsync(async () =>
    {
        try { await Control.GetHealthAsync(); return true; }
        catch (ProxyControlException) { return false; }
    }, StartPatience, () => "the proxy control API\n" + Logs);
}
