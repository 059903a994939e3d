using System.Diagnostics;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Local.Processes;
using Simian.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace Simian.Reliability.Tests.Rollback;

/// <summary>
/// "Simian never freezes what it depends on": the process reading simian's output is never a target, and a
/// reader that stops reading cannot hold up a rollback.
/// </summary>
public sealed class OwnOutputTests(ITestOutputHelper output) : ProxyWorldTest
{
    [Fact(Timeout = 120_000)]
    public async Task The_tee_reading_simians_output_is_protected_and_a_target_left_with_nothing_refuses_the_run()
    {
        // `simian run … | tee LOG` with a profile that would pause exactly that tee. Before the fix the tee was
        // paused, simian blocked on its next log line, and the fault was never undone.
        var log = Path.Combine(State, "teed-output.log");
        var profile = Path.Combine(State, "pause-tee.yaml");
        File.WriteAllText(profile, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: pause-tee}
            targets:
              teed: {type: local:process, selector: {commandContains: "{{{log}}}"}}
            method:
              - {name: freeze, fault: process-pause, target: teed, duration: 2s}
            """);
        var script = $"dotnet '{Repo.SimianDll}' run '{profile}' --yes 2>&1 | tee '{log}'; echo \"simian-exit=${{PIPESTATUS[0]}}\"";
        var (code, stdout) = await Shell.RunAsync(script, TimeSpan.FromSeconds(60));
        output.WriteLine(stdout);

        Assert.Equal(0, code);
        Assert.Contains($"simian-exit={ExitCodes.Refused}", stdout);
        Assert.Contains("protected: reads simian's stdout (a pipe)", stdout);
        Assert.Contains("target(s) 'teed' selected nothing", stdout);
        Assert.Contains("target(s) 'teed' selected nothing", File.ReadAllText(log));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_reader_that_stops_reading_stderr_cannot_hold_up_the_rollback()
    {
        // stderr is a pipe shrunk to one page that nobody ever reads; probes log ten lines a second. Before the fix
        // the first full pipe blocked the logger, and with it the signal handler and the rollback.
        var journal = Path.Combine(State, "blocked.jsonl");
        var profile = Path.Combine(State, "blocked.yaml");
        File.WriteAllText(profile, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: blocked}
            providers:
              local: {proxyControl: "http://127.0.0.1:{{{World.ControlPort}}}", faultTtl: 60s}
            targets:
              px: {type: local:proxy, selector: {names: [{{{ProxyWorld.ProxyName}}}]}}
            steadyState:
              interval: 100ms
              tolerance: 1000
              abortOnDeviation: false
              probes:
                - {name: up, http: {url: "http://127.0.0.1:{{{World.ListenPort}}}/health", timeout: 5s}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: 20ms}}
              - {pause: 5m}
            """);
        const string wrapper = """
            import fcntl, os, subprocess, sys
            r, w = os.pipe()
            fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
            child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=w, stdin=subprocess.DEVNULL)
            os.close(w)
            print(child.pid, flush=True)
            print(child.wait(), flush=True)
            # The read end r is never read.
            """;
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", wrapper, "dotnet", Repo.SimianDll, "run", profile, "--yes", "--verbose", "--journal", journal }) info.ArgumentList.Add(a);
        info.Environment["SIMIAN_STATE_DIR"] = State;
        info.Environment["CI"] = "true";
        using var python = Process.Start(info)!;
        try
        {
            var pid = int.Parse((await python.StandardOutput.ReadLineAsync())!);
            // Thirty probe samples are several pages of log lines: the pipe is full long before.
            await Wait.UntilAsync(() => Journal.Count(journal, "probe") >= 30, TimeSpan.FromSeconds(60), "thirty probe samples");
            Assert.Single(await World.ToxicsAsync());
            Assert.True(await PipeIsFullAsync(pid), "the stderr pipe should be full by now");

            Signals.Send(pid, 15);

            var exit = await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExitCodes.Terminated.ToString(), exit);
            Assert.Empty(await World.ToxicsAsync());
            var finished = Assert.IsType<RunFinished>(Journal.Events(journal).Last());
            Assert.Equal("finished", finished.Kind);
            Assert.Equal("interrupted", finished.Status);
        }
        finally
        {
            if (!python.HasExited) python.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Whether simian's stderr pipe is (nearly) full and unread: FIONREAD on a read end reopened through /proc.</summary>
    private static async Task<bool> PipeIsFullAsync(int pid)
    {
        var (_, text) = await Shell.RunAsync($"python3 -c \"import fcntl,termios,struct,os; fd=os.open('/proc/{pid}/fd/2', os.O_RDONLY|os.O_NONBLOCK); print(struct.unpack('i', fcntl.ioctl(fd, termios.FIONREAD, b'0000'))[0])\"", TimeSpan.FromSeconds(20));
        // Whole writes that do not fit wait: a pipe with most of its one page unread is stuck.
        return int.TryParse(text.Trim(), out var pending) && pending >= 3072;
    }
}
