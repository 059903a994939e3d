using System.Diagnostics;
using Simian.Core;
using Simian.Local.Processes;
using Simian.Reliability.Tests.Support;

namespace Simian.Reliability.Tests.Security;

/// <summary>
/// State folders only their owner controls (issue 11), as ssh treats ~/.ssh: a shared SIMIAN_STATE_DIR on a CI
/// runner must not let another user plant a journal that a later recover obeys with your credentials.
/// </summary>
public sealed class StateFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("simian-statefolder-").FullName;
    private readonly Process _sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;

    public void Dispose()
    {
        try { _sleeper.Kill(); } catch (InvalidOperationException) { }
        _sleeper.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_state_folder_others_can_write_to_is_refused_with_one_line()
    {
        var state = Directory.CreateDirectory(Path.Combine(_root, "shared")).FullName;
        File.SetUnixFileMode(state, (UnixFileMode)0x1FF); // 0777, as a careless `mkdir /tmp/simian` under umask 0 leaves it

        var run = await SimianProcess.RunToEndAsync(state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "run", Profile(), "--yes");
        var recover = await SimianProcess.RunToEndAsync(state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover");

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains($"refusing the state folder {state}: it is writable by group", run.Stderr);
        Assert.Equal(ExitCodes.Invalid, recover.ExitCode);
        Assert.NotEqual('T', ProcFs.Get(_sleeper.Id)!.State);
    }

    [Fact]
    public async Task Recover_never_obeys_a_journal_another_user_planted_in_the_state_folder()
    {
        if (Simian.Core.Platform.Posix.EffectiveUid != 0) return; // needs root to make a file another user's
        var state = Path.Combine(_root, "state");
        // A real run makes the state folder (owner-only) and a journal that recover would act on.
        var run = await SimianProcess.RunToEndAsync(state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "run", Profile(), "--yes");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var journal = Directory.GetFiles(Path.Combine(state, "journals"), "*.jsonl").Single();
        // The planted journal: the same change, still pending, in a file owned by nobody.
        var planted = Path.Combine(state, "journals", "planted.jsonl");
        File.WriteAllLines(planted, File.ReadAllLines(journal).Where(l => !l.Contains("\"event\":\"undone\"") && !l.Contains("\"event\":\"finished\"")));
        using (var chown = Process.Start("chown", ["nobody", planted])) await chown.WaitForExitAsync();
        Signals.Send(_sleeper.Id, Signals.Stop);
        await Wait.UntilAsync(() => ProcFs.Get(_sleeper.Id)!.State == 'T', TimeSpan.FromSeconds(30), "the sleeper to stop");

        var recover = await SimianProcess.RunToEndAsync(state, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "recover");

        Assert.Contains($"{planted}: skipped: it is owned by uid 65534", recover.Stdout);
        // Recover did not act on it: the process it would have resumed is still stopped.
        Assert.Equal('T', ProcFs.Get(_sleeper.Id)!.State);
        Signals.Send(_sleeper.Id, Signals.Cont);
    }

    [Fact]
    public async Task Folders_and_files_are_owner_only_whatever_the_umask()
    {
        var state = Path.Combine(_root, "umask");
        var journal = Path.Combine(_root, "elsewhere.jsonl");
        var (code, output) = await Shell.RunAsync($"umask 000 && SIMIAN_STATE_DIR='{state}' dotnet '{Repo.SimianDll}' run '{Profile()}' --yes --journal '{journal}'", TimeSpan.FromSeconds(60));

        Assert.True(code == 0, output);
        foreach (var dir in new[] { state, Path.Combine(state, "journals"), Path.Combine(state, "registered") })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(journal));
    }

    private string Profile()
    {
        var pidFile = Path.Combine(_root, "sleep.pid");
        File.WriteAllText(pidFile, _sleeper.Id.ToString());
        var path = Path.Combine(_root, "pause.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: pause}
            targets:
              s: {type: local:process, selector: {pidFile: "{{{pidFile}}}"}}
            method:
              - {name: freeze, fault: process-pause, target: s, duration: 200ms}
            """);
        return path;
    }
}
