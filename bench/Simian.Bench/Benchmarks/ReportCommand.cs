using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Bench.Support;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>report</c>: turns the JSON lines the benchmarks wrote, plus the machine facts run.sh collected, into one
/// Markdown file: a table of every target with pass/fail, then per benchmark how to reproduce it, the load, notes and data.
/// </summary>
public static class ReportCommand
{
    public static async Task<int> RunAsync(BenchArgs args, TextWriter log)
    {
        var resultsPath = args.String("results") ?? throw new BenchUsageException("report: --results FILE.jsonl is required");
        var machinePath = args.String("machine");
        var outPath = args.String("out") ?? throw new BenchUsageException("report: --out FILE.md is required");
        args.EnsureAllRead();

        var results = (await File.ReadAllLinesAsync(resultsPath).ConfigureAwait(false))
            .Where(l => l.TrimStart().StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .ToList();
        var machine = machinePath is not null && File.Exists(machinePath)
            ? JsonNode.Parse(await File.ReadAllTextAsync(machinePath).ConfigureAwait(false))!.AsObject()
            : [];

        var md = new StringBuilder();
        var mode = (string?)machine["mode"] ?? "full";
        md.AppendLine(CultureInfo.InvariantCulture, $"# Simian benchmark results ({mode} run)");
        md.AppendLine();
        var dirty = (bool?)machine["dirty"] == true ? " with uncommitted changes in the work tree" : "";
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {machine["startedUtc"]} → {machine["finishedUtc"]} on commit `{machine["commit"]}`{dirty}, by `{machine["command"] ?? "bench/run.sh"}`.");
        md.AppendLine();
        md.AppendLine("| machine | |");
        md.AppendLine("| --- | --- |");
        foreach (var (key, label) in new[]
        {
            ("nproc", "cores (nproc)"), ("cpu", "CPU"), ("memory", "memory"), ("kernel", "kernel"), ("dotnet", "dotnet --version"),
            ("loadStart", "load average at start (1/5/15 min)"), ("loadEnd", "load average at end"), ("otherLoad", "other work on the machine"),
        })
        {
            if (machine[key] is { } value)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {Cell(value.ToString())} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| # | target | goal | measured | result | load during (1-min avg, start → end) |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        var row = 0;
        foreach (var r in results)
        {
            var load = $"{First((string?)r["loadAverageStart"])} → {First((string?)r["loadAverageEnd"])}";
            foreach (var c in r["checks"]!.AsArray())
            {
                var pass = c!["pass"] is JsonValue v ? v.GetValue<bool>() ? "met" : "**not met**" : "—";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {++row} | {Cell((string?)c["target"])} | {Cell((string?)c["goal"])} | {Cell((string?)c["measured"])} | {pass} | {load} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Details");
        foreach (var r in results)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {r["benchmark"]}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `{r["reproduce"]}`  ");
            md.AppendLine(CultureInfo.InvariantCulture, $"Load average {r["loadAverageStart"]} at start, {r["loadAverageEnd"]} at end (finished {r["finishedUtc"]}).");
            foreach (var note in r["notes"]!.AsArray())
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }

            md.AppendLine();
            md.AppendLine("<details><summary>data</summary>");
            md.AppendLine();
            md.AppendLine("```json");
            md.AppendLine(r["data"]!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            md.AppendLine("```");
            md.AppendLine();
            md.AppendLine("</details>");
        }

        await File.WriteAllTextAsync(outPath, md.ToString()).ConfigureAwait(false);
        log.WriteLine($"report: {row} checks from {results.Count} benchmarks → {outPath}");
        return 0;
    }

    private static string First(string? load) => load?.Split(' ')[0] ?? "?";

    private static string Cell(string? text) => (text ?? "").Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
