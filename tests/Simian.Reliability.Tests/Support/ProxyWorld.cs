using Simian.Proxy;
namespace Simian.Reliability.Tests.Support;

/// <summary>
/// A real `simian proxy serve` process with one proxy in front of a real `simian demo-server`, all on loopback;
/// both children are killed on dispose.
/// </summary>
public sealed class ProxyWorld : IAsyncDisposable
{
    public const string ProxyName = "dms-px";
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly SimianProcess _upstream;
    private SimianProcess _proxy;

    private ProxyWorld(string stateDir, int controlPort, int upstreamPort, int listenPort)
    {
        StateDir = stateDir;
        ControlPort = controlPort;
        UpstreamPort = upstreamPort;
        ListenPort = listenPort;
        _upstream = new SimianProcess(stateDir, "demo-server", "--port", upstreamPort.ToString());
        _proxy = new SimianProcess(stateDir, "proxy", "serve", "--control", $"127.0.0.1:{controlPort}");
        Control = new ProxyControlClient(Http, new Uri($"http://127.0.0.1:{controlPort}/"));
    }

    public string StateDir { get; }
    public int ControlPort { get; }
    public int UpstreamPort { get; }
    public int ListenPort { get; }
    public ProxyControlClient Control { get; }

    /// <summary>What the proxy serve process has logged (it says when a toxic expired).</summary>
    public string ProxyLog => _proxy.Stderr;

    public static async Task<ProxyWorld> StartAsync(string stateDir)
    {
        var world = new ProxyWorld(stateDir, Wait.FreePort(), Wait.FreePort(), Wait.FreePort());
        try
        {
            await world.WaitForControlAsync();
            await Wait.UntilAsync(async () =>
            {
                try { return (await Http.GetAsync($"http://127.0.0.1:{world.UpstreamPort}/health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30), () => "the demo server\n" + world._upstream.Stderr);
            await world.Control.CreateProxyAsync(ProxyName, $"127.0.0.1:{world.ListenPort}", $"127.0.0.1:{world.UpstreamPort}");
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>A latency experiment on the proxy that holds for minutes, with the given fault time-to-live.</summary>
    public string WriteProfile(string name, string faultTtl, string delay)
    {
        var path = Path.Combine(StateDir, name + ".yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: "{{{name}}}"}
            providers:
              local: {proxyControl: "http://127.0.0.1:{{{ControlPort}}}", faultTtl: "{{{faultTtl}}}"}
            targets:
              px: {type: local:proxy, selector: {names: [{{{ProxyName}}}]}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: "{{{delay}}}"}}
              - {pause: 5m}
            rollback: always
            """);
        return path;
    }

    /// <summary>Takes the proxy server down (SIGKILL): its control API stops answering and its toxics are gone.</summary>
    public void KillProxy()
    {
        _proxy.Process.Kill();
        _proxy.Process.WaitForExit();
    }

    /// <summary>A new `simian proxy serve` on the same control port, with the same proxy (and no toxics).</summary>
    public async Task RestartProxyAsync()
    {
        _proxy.Dispose();
        _proxy = new SimianProcess(StateDir, "proxy", "serve", "--control", $"127.0.0.1:{ControlPort}");
        await WaitForControlAsync();
        await Control.CreateProxyAsync(ProxyName, $"127.0.0.1:{ListenPort}", $"127.0.0.1:{UpstreamPort}");
    }

    private Task WaitForControlAsync() => Wait.UntilAsync(async () =>
    {
        try { await Control.GetHealthAsync(); return true; }
        catch (ProxyControlException) { return false; }
    }, TimeSpan.FromSeconds(30), () => "the proxy control API\n" + _proxy.Stderr);

    public async Task<IReadOnlyList<ToxicInfo>> ToxicsAsync() => await Control.GetToxicsAsync(ProxyName);

    public ValueTask DisposeAsync()
    {
        _proxy.Dispose();
        _upstream.Dispose();
        return ValueTask.CompletedTask;
    }
}
