using System.Diagnostics;
using Simian.Reliability.Tests.Support;

namespace Simian.Reliability.Tests.Security;

/// <summary>
/// Everything simian writes can name infrastructure and hold undo data: journals, plans, JUnit results and log
/// files must be readable by their owner only (0600), however the user's umask is set and even when the file
/// was already there with wider permissions.
/// </summary>
public sealed class OwnerOnlyFilesTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly TestCli _cli = new();
    private readonly Process _sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;

    [Fact]
    public async Task Plan_journal_junit_and_log_file_are_written_owner_only()
    {
        var profile = WriteProfile();
        var plan = Path.Combine(_cli.StateDir, "out", "plan.json");
        var journal = Path.Combine(_cli.StateDir, "out", "run.jsonl");
        var junit = Path.Combine(_cli.StateDir, "out", "results.xml");
        var log = Path.Combine(_cli.StateDir, "out", "run.log");
        Directory.CreateDirectory(Path.Combine(_cli.StateDir, "out"));

        var planned = await _cli.RunAsync("plan", profile, "--out", plan);
        Assert.True(planned.ExitCode == 0, planned.ToString());
        var run = await _cli.RunAsync("run", profile, "--plan", plan, "--journal", journal, "--junit", junit, "--log-file", log);
        Assert.True(run.ExitCode == 0, run.ToString());
        // And the journal in the default state folder, when --journal is not given.
        var second = await _cli.RunAsync("run", profile, "--yes");
        Assert.True(second.ExitCode == 0, second.ToString());
        var defaultJournal = Assert.Single(_cli.Services.State.ExistingJournals());

        foreach (var file in new[] { plan, journal, junit, log, defaultJournal })
        {
            Assert.True(File.Exists(file), file);
            Assert.True(new FileInfo(file).Length > 0, $"{file} is empty");
            Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}, not owner-only");
        }
    }

    [Fact]
    public async Task Files_that_already_exist_with_wider_permissions_end_up_owner_only()
    {
        var profile = WriteProfile();
        var plan = WorldReadableFile("plan.json", "{}");
        var junit = WorldReadableFile("results.xml", "");
        var log = WorldReadableFile("run.log", "");

        Assert.Equal(0, (await _cli.RunAsync("plan", profile, "--out", plan)).ExitCode);
        var run = await _cli.RunAsync("run", profile, "--yes", "--junit", junit, "--log-file", log);
        Assert.True(run.ExitCode == 0, run.ToString());

        foreach (var file in new[] { plan, junit, log })
        {
            Assert.True(new FileInfo(file).Length > 0, $"{file} was not written");
            Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}, not owner-only");
        }
    }

    /// <summary>A real, short experiment: pause a sleeping process for 300ms.</summary>
    private string WriteProfile()
    {
        var pidFile = _cli.Write("sleeper.pid", _sleeper.Id.ToString());
        return _cli.Write("perms.yaml", $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: perms}
            targets:
              sleeper: {type: local:process, selector: {pidFile: "{{{pidFile}}}"}}
            method:
              - {name: freeze, fault: process-pause, target: sleeper, duration: 300ms}
            """);
    }

    private string WorldReadableFile(string name, string content)
    {
        var path = _cli.Write(name, content);
        File.SetUnixFileMode(path, WorldReadable);
        return path;
    }

    public void Dispose()
    {
        try { _sleeper.Kill(); } catch (InvalidOperationException) { }
        _sleeper.Dispose();
        _cli.Dispose();
    }
}
