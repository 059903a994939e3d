using System.CommandLine;
using Simian.Cli.Output;
using Simian.Cli.Reports;
using Simian.Core;
using Simian.Core.Profiles;

namespace Simian.Cli.Commands;

/// <summary><c>simian report &lt;journal&gt;</c>: turn a run's journal into Markdown for a ticket or one self-contained HTML page.</summary>
public static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var journal = new Argument<string>("journal") { Description = "The run's journal (.jsonl); `simian run` prints its path" };
        var format = new Option<string>("--format")
        {
            Description = "md: Markdown for a ticket; html: one self-contained page with a timeline chart",
            DefaultValueFactory = _ => "md",
        }.AcceptOnlyFromAmong("md", "html");
        var outFile = new Option<string?>("--out") { Description = "Write the report to this file (owner-only) instead of stdout" };
        var command = new Command("report", "Report on a run from its journal: verdict, changes, probes, timeline") { journal, format, outFile };
        command.SetAction(async (parse, _) =>
            await RunAsync(context, parse.GetValue(journal)!, parse.GetValue(format)!, parse.GetValue(outFile)).ConfigureAwait(false));
        return command.WithExamples("simian report journal.jsonl", "simian report journal.jsonl --format html --out report.html");
    }

    public static async Task<int> RunAsync(CliContext context, string journalPath, string format, string? outFile)
    {
        if (outFile is not null) OutputFile.Check(outFile, "--out");
        var report = JournalReport.Read(journalPath);
        var now = context.Services.Time.GetUtcNow();
        var text = format == "html" ? HtmlReport.Write(report, now) : MarkdownReport.Write(report, now);
        if (outFile is null)
        {
            await context.Stdout.WriteAsync(text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        // Reports name infrastructure, like the journals they come from.
        Json.WriteOwnerOnly(outFile, text, "--out");
        await context.Stderr.WriteLineAsync($"report written to {outFile}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
