using System.Diagnostics;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

/// <summary>Bounded input (issue 11): files a profile or a command line names are regular files of bounded size, or a clear error — never a hang.</summary>
public sealed class BoundedInputTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task A_pid_file_that_is_a_fifo_or_huge_is_a_provider_error_not_a_hang()
    {
        var fifo = Fifo("pid.fifo");
        var huge = Path.Combine(_cli.StateDir, "huge.pid");
        File.WriteAllText(huge, new string('1', 10_000));

        var fromFifo = await _cli.RunAsync("plan", PidProfile(fifo));
        var fromHuge = await _cli.RunAsync("plan", PidProfile(huge));

        Assert.Equal(ExitCodes.Provider, fromFifo.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", fromFifo.Stderr);
        Assert.Equal(ExitCodes.Provider, fromHuge.ExitCode);
        Assert.Contains("larger than 64 bytes", fromHuge.Stderr);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_profile_fleet_or_proxy_config_that_is_a_fifo_is_refused_at_once()
    {
        var fifo = Fifo("input.fifo");

        var profile = await _cli.RunAsync("validate", fifo);
        var fleet = await _cli.RunAsync("sandbox", "--port", "0", "--fleet", fifo);
        var config = await _cli.RunAsync("proxy", "serve", "--control", "127.0.0.1:0", "--config", fifo);

        Assert.Equal(ExitCodes.Invalid, profile.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", profile.Stdout + profile.Stderr);
        Assert.Equal(ExitCodes.Invalid, fleet.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", fleet.Stderr);
        Assert.Equal(ExitCodes.Invalid, config.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", config.Stderr);
    }

    private string PidProfile(string pidFile)
    {
        var path = Path.Combine(_cli.StateDir, "pid.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: pid}
            targets:
              s: {type: local:process, selector: {pidFile: "{{{pidFile}}}"}}
            method:
              - {name: freeze, fault: process-pause, target: s, duration: 1s}
            """);
        return path;
    }

    private string Fifo(string name)
    {
        var path = Path.Combine(_cli.StateDir, name);
        using var p = Process.Start("mkfifo", [path]);
        p.WaitForExit();
        return path;
    }
}
