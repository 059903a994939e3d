using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Reports;

/// <summary><c>simian report</c> in Markdown, through the CLI entry point, against journals written line by line.</summary>
public sealed class MarkdownReportTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("completed")]
    [InlineData("deviated")]
    [InlineData("crashed")]
    [InlineData("rollback-failed")]
    public async Task The_markdown_report_matches_its_reviewed_golden_file(string run)
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = Write(cli, run, run switch
        {
            "completed" => SampleJournals.Completed(),
            "deviated" => SampleJournals.Deviated(),
            "crashed" => SampleJournals.Crashed(),
            _ => SampleJournals.RollbackFailed(),
        });
        var result = await cli.RunAsync("report", journal);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("", result.Stderr);
        Golden.Match($"report-{run}.md", Portable(cli, result.Stdout));
    }

    /// <summary>A run still writing its journal is reported as in progress, not as one that needs recover.</summary>
    [Fact(Timeout = 30_000)]
    public async Task A_run_still_going_is_reported_as_in_progress_not_as_needing_recover()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var path = Path.Combine(cli.StateDir, "live.jsonl");
        using (var writer = Simian.Core.Journal.JournalWriter.Create(path, cli.Time))
        {
            writer.Started("live1", "still-going", "/p.yaml", "sha256:x", dryRun: false);
            writer.Intent("s", "latency", "local:proxy", "db", new Simian.Core.Providers.Resource { Id = "db" }, true,
                new Dictionary<string, string>(), new System.Text.Json.Nodes.JsonObject());
            var live = await cli.RunAsync("report", path);
            Assert.Contains("— IN PROGRESS", live.Stdout);
            Assert.Contains("still going; this report shows it so far", live.Stdout);
            Assert.DoesNotContain("run `simian recover`", live.Stdout);
        }
        // Its writer gone without `finished`: now it is unfinished, and recover is what it needs.
        var dead = await cli.RunAsync("report", path);
        Assert.Contains("unfinished — run `simian recover`", dead.Stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_completed_run_has_its_verdict_facts_and_per_probe_figures_and_nothing_to_do()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var result = await cli.RunAsync("report", Write(cli, "completed", SampleJournals.Completed()));
        var md = result.Stdout;
        Assert.StartsWith("# Simian report: cache-failover — COMPLETED\n", md);
        Assert.Contains("**Verdict:** completed — hypothesis held\n", md);
        Assert.Contains("- **Duration:** 15.400s", md);
        Assert.Contains("restored when its duration ended, at +10.200s", md);
        // checkout: 41, 260, 410, 280, 39.5 → median 260.
        Assert.Contains("| `checkout` | 300 ms | 5 | 1 | 39.5 ms | 260 ms | 410 ms | +4.200s (during): status 200 but took 410ms, more than 300ms |", md);
        Assert.Contains("| `api-up` | — | 5 | 0 | 11.0 ms | 70.0 ms | 95.0 ms | — | — |", md);
        Assert.DoesNotContain("What to do", md);
        Assert.DoesNotContain("NOT RESTORED", md);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_deviated_run_shows_the_deviation_and_rollback_in_the_timeline()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var md = (await cli.RunAsync("report", Write(cli, "deviated", SampleJournals.Deviated()))).Stdout;
        Assert.StartsWith("# Simian report: quickstart — DEVIATED\n", md);
        Assert.Contains("- **Exit code:** 5", md);
        Assert.Contains("- +2.870s — **deviation: probe 'api-fast' failed 2 times in a row", md);
        Assert.Contains("- +2.877s — **rollback: rolling back 2 change(s)", md);
        Assert.Contains("restored by rollback at +2.939s", md);
        Assert.True(md.IndexOf("deviation:", StringComparison.Ordinal) < md.IndexOf("rollback:", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_crashed_run_is_unfinished_lists_its_pending_changes_and_says_to_recover()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = Write(cli, "crashed", SampleJournals.Crashed());
        var md = (await cli.RunAsync("report", journal)).Stdout;
        Assert.StartsWith("# Simian report: pause-worker — UNFINISHED\n", md);
        Assert.Contains("**Verdict:** unfinished — run `simian recover`\n", md);
        Assert.Contains("- freeze (process-pause) on pid:4711", md);
        Assert.Contains("- freeze (process-pause) on pid:4712", md);
        Assert.Contains("unconfirmed (the run stopped before confirming; it may have been made)", md);
        Assert.Contains("**NOT RESTORED: no undo recorded (pending)**", md);
        Assert.Contains("## What to do", md);
        Assert.Contains($"simian recover --journal {journal}\n", md);
        Assert.Contains("journal ends here: the run never finished", md);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_recovered_after_its_crash_is_still_unfinished_but_has_nothing_left_to_do()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = SampleJournals.Crashed()
            .At(600).Undone(2, "recover", "nothing-to-undo")
            .At(600.2).Undone(1, "recover")
            .At(600.3).Note("recovered", "recovered: 1 restored, 1 already clean, 0 failed");
        var md = (await cli.RunAsync("report", Write(cli, "recovered", journal))).Stdout;
        Assert.Contains("UNFINISHED", md);
        Assert.Contains("simian recover has since undone what it left behind", md);
        Assert.Contains("restored by recover at +600.200s", md);
        Assert.Contains("nothing to undo, found by recover at +600.000s", md);
        Assert.DoesNotContain("What to do", md);
        Assert.DoesNotContain("NOT RESTORED", md);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failed_rollback_says_NOT_RESTORED_with_the_error_and_how_to_recover()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = Write(cli, "rollback-failed", SampleJournals.RollbackFailed());
        var md = (await cli.RunAsync("report", journal)).Stdout;
        Assert.StartsWith("# Simian report: deny-archive — ROLLBACK-FAILED\n", md);
        Assert.Contains("**NOT RESTORED: AccessDenied: not authorized to perform s3:PutBucketPolicy (request 7F3A)**", md);
        Assert.Contains("run `simian recover --journal journals/deny-archive.jsonl`", md);
        Assert.Contains("1 change(s) may still be in place: deny (s3-deny) on orders-archive.", md);
        Assert.Contains($"simian recover --journal {journal}\n", md);
    }

    [Fact(Timeout = 30_000)]
    public async Task Changes_left_in_place_and_irreversible_ones_are_told_apart()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = new JournalBuilder()
            .At(0).Started("mixed")
            .At(1).Intent(1, "kill-one", "pid:10", fault: "process-kill", target: "workers", targetType: "local:process", reversible: false)
            .At(1.1).Applied(1)
            .At(2).Intent(2, "slow", "db-a")
            .At(2.1).Applied(2)
            .At(3).Left(2, "rollback: never")
            .At(3.1).Finished("completed", 0, "hypothesis held");
        var md = (await cli.RunAsync("report", Write(cli, "mixed", journal))).Stdout;
        Assert.Contains("| 1 | `kill-one` | `process-kill` | `workers` (`local:process`) | `pid:10` | yes, +1.100s | irreversible: cannot be undone |", md);
        Assert.Contains("left in place (rollback: never)", md);
        Assert.Contains("## What to do", md);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_torn_last_line_is_ignored_and_noted()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = SampleJournals.Crashed().Raw("{\"event\":\"probe\",\"at\":\"2026-11-24T09:00:03.1300000+00:00\",\"phase\":\"dur");
        var result = await cli.RunAsync("report", Write(cli, "torn", journal));
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("The journal's last line was torn (an incomplete write, as a crash leaves) and was ignored.", result.Stdout);
        Assert.Contains("| `queue-drains` | — | 3 | 1 |", result.Stdout);
        Assert.Contains("UNFINISHED", result.Stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task Markdown_punctuation_in_journal_text_cannot_break_the_tables()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = new JournalBuilder()
            .At(0).Started("pipes")
            .At(1).Intent(1, "a|b", "res`1`|x", label: "*bold* [link](http://x)")
            .At(1.1).ApplyFailed(1, "error | with pipe <b>")
            .At(2).Finished("aborted", 4, "step 'a|b' failed");
        var md = (await cli.RunAsync("report", Write(cli, "pipes", journal))).Stdout;
        var row = md.Split('\n').Single(l => l.StartsWith("| 1 |", StringComparison.Ordinal));
        // Seven cells: the row has exactly eight unescaped pipes.
        Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(row, @"(?<!\\)\|").Count);
        Assert.Contains("`` res`1`\\|x ``", row);
        Assert.Contains("FAILED: error \\| with pipe \\<b\\>", row);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("apiVersion: simian/v1\nkind: Experiment\n")]
    [InlineData("{\n  \"experiment\": \"plan-proxies\",\n  \"fingerprint\": \"sha256:00\"\n}\n")]
    [InlineData("{\"event\":\"probe\",\"at\":\"2026-11-24T09:00:00Z\",\"probe\":\"x\",\"ok\":true}\n")]
    [InlineData("[1,2,3]\n\"started\"\n")]
    public async Task A_file_that_is_not_a_journal_exits_2_with_a_message_and_no_stack_trace(string content)
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var path = Path.Combine(cli.StateDir, "not-a-journal.jsonl");
        File.WriteAllText(path, content);
        var result = await cli.RunAsync("report", path);
        Assert.True(result.ExitCode == ExitCodes.Invalid, result.ToString());
        Assert.Matches("simian: .*not-a-journal.jsonl (is empty: not a simian journal|is not a simian journal)", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_file_or_a_directory_exits_2()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var missing = await cli.RunAsync("report", Path.Combine(cli.StateDir, "nope.jsonl"));
        Assert.Equal(ExitCodes.Invalid, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
        var directory = await cli.RunAsync("report", cli.StateDir);
        Assert.Equal(ExitCodes.Invalid, directory.ExitCode);
        Assert.Contains("is a directory, not a journal", directory.Stderr);
        var format = await cli.RunAsync("report", cli.StateDir, "--format", "pdf");
        Assert.Equal(ExitCodes.Invalid, format.ExitCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Out_writes_an_owner_only_file_and_prints_only_where_it_went()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = Write(cli, "deviated", SampleJournals.Deviated());
        var outFile = Path.Combine(cli.StateDir, "reports", "quickstart.md");
        // A folder that does not exist is a usage error naming it, not something simian creates on a guess.
        var missing = await cli.RunAsync("report", journal, "--out", outFile);
        Assert.Equal(ExitCodes.Invalid, missing.ExitCode);
        Assert.Contains($"folder {Path.GetDirectoryName(outFile)} does not exist", missing.Stderr);
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        var result = await cli.RunAsync("report", journal, "--out", outFile);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Contains($"report written to {outFile}", result.Stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(outFile));
        Assert.Equal((await cli.RunAsync("report", journal)).Stdout, File.ReadAllText(outFile));
    }

    [Fact(Timeout = 30_000)]
    public async Task Secrets_that_slipped_into_a_journal_are_masked()
    {
        using var cli = new TestCli(TestCli.FixedTime());
        var journal = new JournalBuilder()
            .At(0).Started("leaky")
            .At(1).Probe("before", "api", false, 30, "GET https://bob:hunter2@api.example/health?token=abc123 said Bearer eyJhbGciOi.payload.sig")
            .At(2).Intent(1, "deny", "bucket")
            .At(3).ApplyFailed(1, "InvalidAccessKeyId: AKIAIOSFODNN7EXAMPLE")
            .At(4).Finished("aborted", 4, "step 'deny' failed on bucket: InvalidAccessKeyId: AKIAIOSFODNN7EXAMPLE");
        var path = Write(cli, "leaky", journal);
        foreach (var format in new[] { "md", "html" })
        {
            var text = (await cli.RunAsync("report", path, "--format", format)).Stdout;
            foreach (var secret in new[] { "hunter2", "abc123", "eyJhbGciOi", "IOSFODNN7EXAMPLE" }) Assert.DoesNotContain(secret, text);
            Assert.Contains(format == "md" ? "AKIA\\*\\*\\*" : "AKIA****************", text);
        }
    }

    internal static string Write(TestCli cli, string name, JournalBuilder journal) =>
        journal.WriteTo(Path.Combine(cli.StateDir, "journals", name + ".jsonl"));

    internal static string Portable(TestCli cli, string text) => text.Replace(cli.StateDir, "$STATE", StringComparison.Ordinal);
}
