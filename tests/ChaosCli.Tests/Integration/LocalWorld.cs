using System.Diagnostics;
using Simian.Cli.Tests.Support;
using Simian.Proxy;

namespace Simian.Cli.Tests.Integration;

/// <summary>
/// Real things for a run to break: a `simian proxy serve` process with a proxy in front of a demo server, and
/// a sleeping process to pause. All on loopback, all stopped on dispose.
/// </summary>
public sealed class LocalWorld : IAsyncDisposable
{
    private readonly ProxyRig _rig;
    private readonly Process _sleeper;

    private LocalWorld(string stateDir, ProxyRig rig)
    {
        StateDir = stateDir;
        _rig = rig;
        _sleeper = Process.Start(new ProcessStartInfo("sleep", "3000") { UseShellExecute = false })!;
        PidFile = Path.Combine(stateDir, "sleeper.pid");
        File.WriteAllText(PidFile, _sleeper.Id.ToString());
    }

    public string StateDir { get; }
    public int ControlPort => _rig.ControlPort;
    public int UpstreamPort => _rig.UpstreamPort;
    public int ListenPort => _rig.ListenPort;
    public string PidFile { get; }
    public int SleeperPid => _sleeper.Id;
    public ProxyControlClient Control => _rig.Control;

    public static async Task<LocalWorld> StartAsync(string stateDir) => new(stateDir, await ProxyRig.StartAsync(stateDir, "crash-px"));

    /// <summary>A profile that holds a latency toxic and a paused process for minutes: long enough to crash mid-way.</summary>
    public string WriteProfile(string name, string extraSteadyState = "")
    {
        var path = Path.Combine(StateDir, name + ".yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: {{{name}}}}
            providers:
              local: {proxyControl: "http://127.0.0.1:{{{ControlPort}}}", faultTtl: 2m}
            targets:
              px: {type: local:proxy, selector: {names: [crash-px]}}
              sleeper: {type: local:process, selector: {pidFile: "{{{PidFile}}}"}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: 500ms}}
              - {name: freeze, fault: process-pause, target: sleeper}
              - {pause: 5m}
            rollback: always
            """);
        return path;
    }

    /// <summary>Takes the proxy server down, so that undo calls to it fail.</summary>
    public void KillProxy() => _rig.KillProxy();

    public async Task<int> ToxicCountAsync() => (await Control.GetToxicsAsync("crash-px")).Count;

    public char SleeperState()
    {
        var stat = File.ReadAllText($"/proc/{_sleeper.Id}/stat");
        return stat[(stat.LastIndexOf(')') + 2)];
    }

    public async ValueTask DisposeAsync()
    {
        try { _sleeper.Kill(); } catch (InvalidOperationException) { }
        _sleeper.Dispose();
        await _rig.DisposeAsync();
    }
}
