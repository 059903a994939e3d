using System.Diagnostics;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Local.Processes;
using Simian.Local.Services;
using Simian.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace Simian.Reliability.Tests.Rollback;

/// <summary>Journals, locks and recover (issue 10): whatever path, folder or user, nothing is lost or doubled.</summary>
public sealed class RecoverEverythingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("simian-recover-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("simian-elsewhere-").FullName;
    private readonly Process _sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;

    public void Dispose()
    {
        try { _sleeper.Kill(); } catch (InvalidOperationException) { }
        _sleeper.Dispose();
        foreach (var d in new[] { _state, _elsewhere })
        {
            try { Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Plain_recover_finds_a_journal_kept_elsewhere_and_stops_the_services_the_run_started()
    {
        var profile = PauseProfile("elsewhere", services: true);
        var journal = Path.Combine(_elsewhere, "run.jsonl");
        using var run = new SimianProcess(_state, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 2, TimeSpan.FromSeconds(60), () => "the service and the pause\n" + run);
        var runId = Assert.IsType<RunStarted>(Journal.Events(journal)[0]).RunId;
        var marker = $"{ServiceFault.MarkerVariable}={ServiceFault.Marker(runId, "helper")}";
        await Wait.UntilAsync(() => ProcFs.Get(_sleeper.Id)!.State == 'T', TimeSpan.FromSeconds(30), "the sleeper to stop");

        run.Process.Kill();
        await run.Process.WaitForExitAsync();
        // Before the fix the service lived on with parent 1, and a plain recover never looked outside the state folder.
        Assert.NotEmpty(ProcFs.WithEnvironment(marker));

        var recover = await SimianProcess.RunToEndAsync(_state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover");
        output.WriteLine(recover.ToString());
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        Assert.Contains($"{journal}: recovered: 2 restored", recover.Stdout);
        await Wait.UntilAsync(() => ProcFs.Get(_sleeper.Id)!.State != 'T', TimeSpan.FromSeconds(30), "the sleeper to run again");
        Assert.Empty(ProcFs.WithEnvironment(marker));
        var again = await SimianProcess.RunToEndAsync(_state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover");
        Assert.Contains("nothing to recover", again.Stdout);
    }

    [Fact(Timeout = 120_000)]
    public async Task Recover_never_undoes_a_live_run_through_another_name_for_its_journal()
    {
        var profile = PauseProfile("symlinked", services: false);
        var journal = Path.Combine(_elsewhere, "run.jsonl");
        using var run = new SimianProcess(_state, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 1, TimeSpan.FromSeconds(60), () => "the pause\n" + run);
        await Wait.UntilAsync(() => ProcFs.Get(_sleeper.Id)!.State == 'T', TimeSpan.FromSeconds(30), "the sleeper to stop");
        var symlink = Path.Combine(_state, "symlink.jsonl");
        File.CreateSymbolicLink(symlink, journal);
        var hardLink = Path.Combine(_elsewhere, "hard-link.jsonl");
        using (var ln = Process.Start("ln", [journal, hardLink])) await ln.WaitForExitAsync();

        var throughSymlink = await SimianProcess.RunToEndAsync(_state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover", "--journal", symlink);
        var throughHardLink = await SimianProcess.RunToEndAsync(_state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover", "--journal", hardLink);

        // A symlink is never followed; a hard link is the same file, whose lock the live run holds.
        Assert.Equal(ExitCodes.Invalid, throughSymlink.ExitCode);
        Assert.Contains("is a symbolic link", throughSymlink.Stderr);
        Assert.Contains("still in progress", throughHardLink.Stdout);
        Assert.Equal('T', ProcFs.Get(_sleeper.Id)!.State);
        run.Signal(2);
        Assert.Equal(ExitCodes.Interrupted, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        await Wait.UntilAsync(() => ProcFs.Get(_sleeper.Id)!.State != 'T', TimeSpan.FromSeconds(30), "the sleeper to run again");
    }

    [Fact(Timeout = 120_000)]
    public async Task Two_runs_with_different_state_folders_and_homes_never_hold_the_same_target()
    {
        var profile = PauseProfile("first", services: false);
        var journal = Path.Combine(_elsewhere, "first.jsonl");
        using var first = new SimianProcess(_state, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 1, TimeSpan.FromSeconds(60), () => "the first run's pause\n" + first);

        var otherHome = Directory.CreateTempSubdirectory("simian-home-").FullName;
        var env = new Dictionary<string, string> { ["HOME"] = otherHome, ["XDG_STATE_HOME"] = Path.Combine(otherHome, "xdg") };
        var second = await SimianProcess.RunToEndAsync(_elsewhere, env, TimeSpan.FromSeconds(60), "run", profile, "--yes");

        output.WriteLine(second.ToString());
        Assert.Equal(ExitCodes.Refused, second.ExitCode);
        Assert.Contains($"held by another run in progress: local:process {_sleeper.Id} (pid {first.Pid}, uid ", second.Stderr);
        first.Signal(2);
        Assert.Equal(ExitCodes.Interrupted, await first.WaitAsync(TimeSpan.FromSeconds(60)));
        var plan = await SimianProcess.RunToEndAsync(_elsewhere, env, TimeSpan.FromSeconds(60), "plan", profile);
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        Directory.Delete(otherHome, recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_journal_folder_is_synced_after_the_journal_is_created()
    {
        if (!File.Exists("/usr/bin/strace")) Assert.Fail("strace is needed (.ci/run installs it)");
        var profile = PauseProfile("synced", services: false, hold: "pause: 100ms");
        var trace = Path.Combine(_elsewhere, "trace.txt");
        var journalDir = Path.Combine(_elsewhere, "journals");
        Directory.CreateDirectory(journalDir);
        var journal = Path.Combine(journalDir, "run.jsonl");
        var info = new ProcessStartInfo("strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-f", "-e", "trace=openat,fsync", "-o", trace, "dotnet", Repo.SimianDll, "run", profile, "--yes", "--journal", journal }) info.ArgumentList.Add(a);
        info.Environment["SIMIAN_STATE_DIR"] = _state;
        info.Environment["CI"] = "true";
        using (var p = Process.Start(info)!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(0, p.ExitCode);
        }
        var lines = File.ReadAllLines(trace);
        var created = Array.FindIndex(lines, l => l.Contains($"openat(AT_FDCWD, \"{journal}\"", StringComparison.Ordinal) && l.Contains("O_CREAT", StringComparison.Ordinal));
        Assert.True(created >= 0, "the journal's creation is not in the trace");
        var dirOpen = lines.Skip(created).Select(l => System.Text.RegularExpressions.Regex.Match(l, $"openat\\(AT_FDCWD, \"{System.Text.RegularExpressions.Regex.Escape(journalDir)}\", O_RDONLY[^)]*O_DIRECTORY[^)]*\\) = (\\d+)"))
            .FirstOrDefault(m => m.Success);
        Assert.NotNull(dirOpen);
        Assert.Contains(lines.Skip(created), l => System.Text.RegularExpressions.Regex.IsMatch(l, $"fsync\\({dirOpen!.Groups[1].Value}\\)\\s+= 0"));
    }

    private string PauseProfile(string name, bool services, string hold = "pause: 5m")
    {
        var pidFile = Path.Combine(_elsewhere, name + ".pid");
        File.WriteAllText(pidFile, _sleeper.Id.ToString());
        var helper = services ? "providers:\n  local:\n    services:\n      - {name: helper, run: \"sleep 300\"}\n" : "";
        var path = Path.Combine(_elsewhere, name + ".yaml");
        File.WriteAllText(path, $"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {"{"}name: {name}{"}"}

            """ + helper + $$$"""
            targets:
              sleeper: {type: local:process, selector: {pidFile: "{{{pidFile}}}"}}
            method:
              - {name: freeze, fault: process-pause, target: sleeper}
              - {{{{hold}}}}
            rollback: always
            """);
        return path;
    }
}
