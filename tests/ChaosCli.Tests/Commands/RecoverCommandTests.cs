using System.Diagnostics;
using System.Text.Json;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

public sealed class RecoverCommandTests
{
    [Fact]
    public async Task With_nothing_unfinished_recover_says_so_in_text_and_json()
    {
        using var cli = new TestCli();
        var text = await cli.RunAsync("recover");
        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Contains("nothing to recover (0 journal(s) checked)", text.Stdout);
        var json = await cli.RunAsync("recover", "--output", "json");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.True(doc.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("journals").GetArrayLength());
    }

    [Fact]
    public async Task Recover_finds_every_unfinished_journal_in_the_state_folder_and_reports_json()
    {
        using var cli = new TestCli();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            var stat = File.ReadAllText($"/proc/{sleeper.Id}/stat");
            var startTime = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
            Process.Start("kill", ["-STOP", sleeper.Id.ToString()])!.WaitForExit();
            // kill(2) returns before the target has stopped; on a loaded machine that can take a while.
            await Wait.UntilAsync(() => StateOf(sleeper.Id) == 'T', TimeSpan.FromSeconds(30), "the sleeper to stop");
            // A journal as a crashed run leaves it: the intent and applied lines, nothing after.
            var journals = Path.Combine(cli.StateDir, "journals");
            Directory.CreateDirectory(journals);
            File.WriteAllLines(Path.Combine(journals, "20261124T100000Z-crashed-r1.jsonl"),
            [
                """{"event":"started","at":"2026-11-24T10:00:00+00:00","runId":"r1","experiment":"crashed","fingerprint":"sha256:x","pid":1,"dryRun":false}""",
                $$$"""{"event":"intent","at":"2026-11-24T10:00:01+00:00","seq":1,"step":"freeze","fault":"process-pause","targetType":"local:process","target":"w","resource":{"id":"{{{sleeper.Id}}}","attributes":{"startTime":"{{{startTime}}}"}},"reversible":true,"settings":{},"undo":{"pid":{{{sleeper.Id}}},"startTime":"{{{startTime}}}","wasStopped":false}}""",
                """{"event":"applied","at":"2026-11-24T10:00:01+00:00","seq":1}""",
            ]);
            var result = await cli.RunAsync("recover", "--output", "json");
            Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
            var journal = Assert.Single(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("journals").EnumerateArray());
            Assert.Equal("recovered", journal.GetProperty("outcome").GetString());
            Assert.Equal(1, journal.GetProperty("restored").GetInt32());
            await Wait.UntilAsync(() => StateOf(sleeper.Id) != 'T', TimeSpan.FromSeconds(30), "the sleeper to run again");
        }
        finally
        {
            sleeper.Kill();
        }
    }

    private static char StateOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    [Fact]
    public async Task A_journal_that_does_not_exist_is_invalid_input()
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync("recover", "--journal", "/nonexistent/j.jsonl");
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
    }
}
