using Simian.Proxy;
namespace Simian.Reliability.Tests.Support;

/// <summary>
/// A <see cref="ProxyRig"/> (a real `simian proxy serve` with one proxy in front of a real `simian demo-server`) and
/// the latency profile the dead-man's-switch and rollback tests run against it.
/// </summary>
public sealed class ProxyWorld : IAsyncDisposable
{
    public const string ProxyName = "dms-px";
    private readonly ProxyRig _rig;

    private ProxyWorld(string stateDir, ProxyRig rig) => (StateDir, _rig) = (stateDir, rig);

    public string StateDir { get; }
    public int ControlPort => _rig.ControlPort;
    public int UpstreamPort => _rig.UpstreamPort;
    public int ListenPort => _rig.ListenPort;
    public ProxyControlClient Control => _rig.Control;

    /// <summary>What the proxy serve process has logged (it says when a toxic expired).</summary>
    public string ProxyLog => _rig.ProxyLog;

    public static async Task<ProxyWorld> StartAsync(string stateDir) =>
        new(stateDir, await ProxyRig.StartAsync(stateDir, ProxyName, listenPort: Wait.FreePort()));

    /// <summary>A latency experiment on the proxy that holds for minutes, with the given fault time-to-live.</summary>
    public string WriteProfile(string name, string faultTtl, string delay)
    {
        var path = Path.Combine(StateDir, name + ".yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: "{{{name}}}"}
            providers:
              local: {proxyControl: "{{{_rig.ControlUrl}}}", faultTtl: "{{{faultTtl}}}"}
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
    public void KillProxy() => _rig.KillProxy();

    /// <summary>A new `simian proxy serve` on the same control port, with the same proxy (and no toxics).</summary>
    public Task RestartProxyAsync() => _rig.RestartProxyAsync();

    public Task<IReadOnlyList<ToxicInfo>> ToxicsAsync() => _rig.ToxicsAsync();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();
}
