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
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });
    private readonly SimianProcess _proxy;
    private readonly SimianProcess _upstream;
    private readonly Process _sleeper;

    private LocalWorld(string stateDir, int controlPort, int upstreamPort, int listenPort)
    {
        StateDir = stateDir;
        ControlPort = controlPort;
        UpstreamPort = upstreamPort;
        ListenPort = listenPort;
        _upstream = new SimianProcess(stateDir, "demo-server", "--port", upstreamPort.ToString());
        _proxy = new SimianProcess(stateDir, "proxy", "serve", "--control", $"127.0.0.1:{controlPort}");
        _sleeper = Process.Start(new ProcessStartInfo("sleep", "3000") { UseShellExecute = false })!;
        PidFile = Path.Combine(stateDir, "sleeper.pid");
        File.WriteAllText(PidFile, _sleeper.Id.ToString());
        Control = new ProxyControlClient(Http, new Uri($"http://127.0.0.1:{controlPort}/"));
    }

    public string StateDir { get; }
    public int ControlPort { get; }
    public int UpstreamPort { get; }
    public int ListenPort { get; }
    public string PidFile { get; }
    public int SleeperPid => _sleeper.Id;
    public ProxyControlClient Control { get; }

    public static async Task<LocalWorld> StartAsync(string stateDir)
    {
        var world = new LocalWorld(stateDir, Wait.FreePort(), Wait.FreePort(), Wait.FreePort());
        try
        {
            await Wait.UntilAsync(async () =>
            {
                try { await world.Control.GetHealthAsync(); return true; }
                catch (ProxyControlException) { return false; }
            }, TimeSpan.FromSeconds(20), "the proxy control API");
            await world.Control.CreateProxyAsync("crash-px", $"127.0.0.1:{world.ListenPort}", $"127.0.0.1:{world.UpstreamPort}");
            return world;
        }
        catch
        {
            // Never leave the child processes running when the world could not be set up.
            await world.DisposeAsync();
            throw;
        }
    }

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
    public void KillProxy()
    {
        _proxy.Process.Kill();
        _proxy.Process.WaitForExit();
    }

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
        _proxy.Dispose();
        _upstream.Dispose();
        await Task.CompletedTask;
    }
}
