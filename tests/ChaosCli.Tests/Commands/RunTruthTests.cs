using Simian.Cli.Tests.Support;
using Simian.Core;
using Simian.Core.Journal;

namespace Simian.Cli.Tests.Commands;

/// <summary>Issue 10 through the CLI entry point: Ctrl-C at the prompt, paths that cannot be written, no false green.</summary>
[Collection("fixed ports")]
public sealed class RunTruthTests
{
    [Fact(Timeout = 60_000)]
    public async Task Ctrl_c_at_the_approval_prompt_exits_at_once_and_nothing_from_the_profile_has_run()
    {
        var terminal = new WaitingTerminal();
        using var cli = new TestCli(terminal: terminal);
        var run = cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"));
        Assert.True(terminal.Asked.Wait(TimeSpan.FromSeconds(30)), "simian never asked for approval");

        Assert.True(cli.Services.Signals.Raise("SIGINT"));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExitCodes.Interrupted, result.ExitCode);
        Assert.Contains("nothing was changed", result.Stderr);
        Assert.DoesNotContain("rolling back", result.Stderr);
        Assert.Empty(cli.Journals());
        // The profile's service (a demo server on 26080) was never started.
        Assert.DoesNotContain(Simian.Local.Processes.ProcFs.List(), p => p.CommandLine.Contains("demo-server --port 26080", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--junit", "dir", "is a directory, not a file")]
    [InlineData("--journal", "dir", "already exists")]
    [InlineData("--journal", "missing", "does not exist")]
    [InlineData("--log-file", "fifo", "is a FIFO, not a file")]
    [InlineData("--log-file", "device", "is a character device, not a file")]
    [InlineData("--log-file", "symlink", "it is a symbolic link")]
    public async Task A_path_that_cannot_be_written_is_a_usage_error_naming_it_before_anything_runs(string option, string kind, string says)
    {
        using var cli = new TestCli();
        var path = kind switch
        {
            "dir" => cli.StateDir,
            "missing" => Path.Combine(cli.StateDir, "no-such-folder", "x.out"),
            "device" => "/dev/null",
            "symlink" => Symlink(cli.StateDir),
            _ => TestFiles.Fifo(cli.StateDir, "fifo"),
        };
        var result = await cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"), "--yes", option, path);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(path, line);
        Assert.Contains(says, line);
        Assert.Empty(cli.Journals());
    }

    [Fact]
    public async Task Plan_out_to_a_folder_is_a_usage_error_naming_it()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("plan", Repo.Fixture("run-proxy.yaml"), "--out", cli.StateDir);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains($"cannot write --out {cli.StateDir}: it is a directory", result.Stderr);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("sandbox", "--port", "{0}")]
    [InlineData("proxy", "serve", "--control", "127.0.0.1:{0}")]
    [InlineData("demo-server", "--port", "{0}")]
    public async Task A_port_in_use_is_a_usage_error_naming_it(params string[] args)
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var cli = new TestCli();

        var result = await cli.RunAsync(args.Select(a => a.Replace("{0}", port, StringComparison.Ordinal)).ToArray());

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"127.0.0.1:{port}: Address already in use", line);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_junit_file_that_cannot_be_written_at_the_end_warns_and_keeps_the_runs_own_exit_code()
    {
        using var cli = new TestCli();
        var folder = Directory.CreateDirectory(Path.Combine(cli.StateDir, "results")).FullName;
        var run = cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"), "--yes", "--output", "json", "--junit", Path.Combine(folder, "junit.xml"));
        await Wait.UntilAsync(() => cli.Journals().Any(j => JournalState.Read(j).Changes.Any(c => !c.IsHelper && c.Applied)), TimeSpan.FromSeconds(30), "the fault");
        Directory.Delete(folder);

        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        // Whatever the hypothesis made of it (5 as a rule, 0 when a loaded machine's probes were lucky), the exit
        // code is the run's own verdict, not the side output's failure.
        var verdict = System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!;
        Assert.Equal((int)verdict["exitCode"]!, result.ExitCode);
        Assert.True(result.ExitCode is ExitCodes.Deviated or ExitCodes.Ok, result.ToString());
        Assert.Contains("cannot write --junit", result.Stderr);
        Assert.Contains("the run's exit code is unchanged", result.Stderr);
    }

    [Fact]
    public async Task A_fault_ttl_the_proxy_would_refuse_is_a_validate_error_with_its_location()
    {
        using var cli = new TestCli();
        var profile = Path.Combine(cli.StateDir, "ttl.yaml");
        File.WriteAllText(profile, File.ReadAllText(Repo.Fixture("run-proxy.yaml")).Replace("faultTtl: 5s", "faultTtl: 25h"));
        var result = await cli.RunAsync("validate", profile);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains($"{profile}:7:15: error: 'faultTtl' must be at most 24h", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task A_target_that_selects_nothing_refuses_the_run_unless_it_is_optional()
    {
        using var cli = new TestCli();
        var profile = Path.Combine(cli.StateDir, "empty.yaml");
        File.WriteAllText(profile, """
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: empty}
            targets:
              ghosts: {type: local:process, selector: {commandContains: "no-process-has-this-9f3a1c"}}
            method:
              - {name: freeze, fault: process-pause, target: ghosts, duration: 1s}
            """);
        var refused = await cli.RunAsync("run", profile, "--yes");
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("target(s) 'ghosts' selected nothing", refused.Stderr);
        Assert.Empty(cli.Journals());

        File.WriteAllText(profile, File.ReadAllText(profile).Replace("9f3a1c\"}}", "9f3a1c\"}, optional: true}"));
        var optional = await cli.RunAsync("run", profile, "--yes");
        Assert.True(optional.ExitCode == ExitCodes.Ok, optional.ToString());
        Assert.Contains("optional target(s) 'ghosts' selected nothing", optional.Stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_ends_by_saying_nothing_was_injected_and_never_that_the_hypothesis_held()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("run", Repo.Fixture("run-proxy.yaml"), "--dry-run");
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("DRY RUN — nothing was injected", result.Stdout.TrimEnd().Split('\n')[^1]);
        Assert.DoesNotContain("hypothesis held", result.Stdout + result.Stderr);
    }

    /// <summary>A log path someone pointed elsewhere: appending through it would write wherever it leads.</summary>
    private static string Symlink(string dir)
    {
        var target = Path.Combine(dir, "victim");
        File.WriteAllText(target, "");
        var link = Path.Combine(dir, "run.log");
        File.CreateSymbolicLink(link, target);
        return link;
    }

    /// <summary>A person at a terminal who never answers: ReadLine blocks until the test ends.</summary>
    private sealed class WaitingTerminal : ITerminal
    {
        public ManualResetEventSlim Asked { get; } = new();

        public bool IsInteractive => true;

        public bool ColorEnabled => false;

        public string? ReadLine()
        {
            Asked.Set();
            new ManualResetEventSlim().Wait(TimeSpan.FromSeconds(30));
            return null;
        }
    }
}
