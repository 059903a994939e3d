using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace Simian.Reliability.Tests.Rollback;

/// <summary>Signals in every phase and exit codes that tell the truth, through the real CLI as a child process.</summary>
public sealed class TruthfulExitTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("simian-truth-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_state, recursive: true); } catch (IOException) { }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_signal_while_planning_against_a_control_api_that_never_answers_stops_at_once_having_changed_nothing()
    {
        using var silent = new SilentServer();
        var profile = ProxyProfile($"http://127.0.0.1:{silent.Port}");
        using var run = new SimianProcess(_state, "run", profile, "--yes");
        await Wait.UntilAsync(() => silent.Accepted > 0, TimeSpan.FromSeconds(60), () => "simian to ask the control API\n" + run);

        run.Signal(2);

        Assert.Equal(ExitCodes.Interrupted, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("nothing was changed", run.Stderr);
        Assert.DoesNotContain("rolling back", run.Stderr);
        var journals = Path.Combine(_state, "journals");
        Assert.True(!Directory.Exists(journals) || Directory.GetFiles(journals).Length == 0, "a run stopped while planning writes no journal");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_control_api_that_never_answers_is_a_provider_error_after_a_timeout_not_a_hang()
    {
        using var silent = new SilentServer();
        var result = await SimianProcess.RunToEndAsync(_state, new Dictionary<string, string>(), TimeSpan.FromSeconds(90), "plan", ProxyProfile($"http://127.0.0.1:{silent.Port}"));

        Assert.Equal(ExitCodes.Provider, result.ExitCode);
        Assert.Contains("did not answer GET proxies within 10s", result.Stderr);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_signal_during_the_steady_state_check_before_injection_stops_the_run_with_status_interrupted()
    {
        using var silent = new SilentServer();
        var path = Path.Combine(_state, "before.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: before}
            providers:
              local:
                proxyControl: embedded
                proxies: [{name: px, listen: "127.0.0.1:{{{Wait.FreePort()}}}", upstream: "127.0.0.1:{{{silent.Port}}}"}]
            targets:
              px: {type: local:proxy, selector: {names: [px]}}
            steadyState:
              probes:
                - {name: slow, http: {url: "http://127.0.0.1:{{{silent.Port}}}/", timeout: 60s}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: 10ms}}
            """);
        using var run = new SimianProcess(_state, "run", path, "--yes");
        await Wait.UntilAsync(() => silent.Accepted > 0, TimeSpan.FromSeconds(60), () => "the probe to connect\n" + run);

        run.Signal(15);

        Assert.Equal(ExitCodes.Terminated, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        var journal = Directory.GetFiles(Path.Combine(_state, "journals"), "*.jsonl").Single();
        var finished = Assert.IsType<RunFinished>(Journal.Events(journal).Last());
        Assert.Equal("interrupted", finished.Status);
        Assert.Contains("nothing was changed", finished.Summary);
        Assert.Equal(0, Journal.Count(journal, "intent"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_signal_the_operating_system_refuses_is_could_not_apply_not_a_failed_rollback()
    {
        // simian as `nobody` asked to SIGSTOP a process of root's: kill(2) says EPERM. Before the fix rollback then
        // tried SIGCONT, got EPERM again, and the run ended in exit 6 with a change to "recover" that never happened.
        if (Posix() != 0) { output.WriteLine("not run: needs root to start simian as another user"); return; }
        var home = Directory.CreateTempSubdirectory("simian-nobody-").FullName;
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(Path.Combine(home, "sleep.pid"), sleeper.Id.ToString());
            var profile = Path.Combine(home, "eperm.yaml");
            File.WriteAllText(profile, $$$"""
                apiVersion: simian/v1
                kind: Experiment
                metadata: {name: eperm}
                targets:
                  s: {type: local:process, selector: {pidFile: "{{{home}}}/sleep.pid"}}
                method:
                  - {name: freeze, fault: process-pause, target: s, duration: 1s}
                """);
            Chown(home);
            var (code, text) = await Shell.RunAsync($"cd '{home}' && setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME='{home}' SIMIAN_STATE_DIR='{home}/state' CI=true dotnet '{Repo.SimianDll}' run '{profile}' --yes", TimeSpan.FromSeconds(90));
            output.WriteLine(text);
            Assert.Equal(ExitCodes.Provider, code);
            Assert.Contains("could not be applied", text);
            Assert.Contains("not permitted to signal", text);
            Assert.DoesNotContain("NOT RESTORED", text);
            Assert.NotEqual('T', Simian.Local.Processes.ProcFs.Get(sleeper.Id)!.State);
            var (recoverCode, recovered) = await Shell.RunAsync($"cd '{home}' && setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME='{home}' SIMIAN_STATE_DIR='{home}/state' dotnet '{Repo.SimianDll}' recover", TimeSpan.FromSeconds(90));
            Assert.Equal(0, recoverCode);
            Assert.Contains("nothing to recover", recovered);
        }
        finally
        {
            sleeper.Kill();
            Directory.Delete(home, recursive: true);
        }
    }

    private string ProxyProfile(string control)
    {
        var path = Path.Combine(_state, "proxy.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: hang}
            providers:
              local: {proxyControl: "{{{control}}}"}
            targets:
              px: {type: local:proxy, selector: {names: [px]}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: 10ms}, duration: 1s}
            """);
        return path;
    }

    private static uint Posix() => Simian.Core.Platform.Posix.EffectiveUid;

    private static void Chown(string dir)
    {
        using var p = Process.Start("chown", ["-R", "nobody:nogroup", dir]);
        p.WaitForExit();
    }

    /// <summary>Accepts connections on loopback and never answers them: a control API or endpoint gone silent.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = [];
        private int _accepted;

        public SilentServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_held) _held.Add(socket);
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_held) foreach (var s in _held) s.Dispose();
        }
    }
}
