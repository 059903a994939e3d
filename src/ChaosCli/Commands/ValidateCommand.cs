using System.CommandLine;
using Simian.Cli.Output;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;

namespace Simian.Cli.Commands;

/// <summary><c>simian validate &lt;profile&gt;...</c>: every error in every profile at once, as path:line:col.</summary>
public static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var profiles = new Argument<string[]>("profile") { Description = "Profile files to check", Arity = ArgumentArity.OneOrMore };
        var output = OutputFormat.CreateOption();
        var command = new Command("validate", "Check profiles without touching anything; reports all errors at once") { profiles, output };
        command.SetAction((parse, _) => Task.FromResult(Run(context, parse.GetValue(profiles)!, parse.GetValue(output)!)));
        return command.WithExamples("simian validate samples/quickstart.yaml", "simian validate chaos-profiles/*.yaml", "simian validate chaos-profiles/zone-outage.yaml --output json");
    }

    public static int Run(CliContext context, IReadOnlyList<string> paths, string output)
    {
        var loader = new ProfileLoader(context.Services.Registry);
        var results = paths.Select(p => (Path: p, Result: loader.Load(p))).ToList();
        var allOk = results.All(r => r.Result.Ok);
        if (output == "json")
        {
            context.Stdout.WriteLine(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("valid", allOk);
                w.WriteStartArray("profiles");
                foreach (var (path, result) in results)
                {
                    w.WriteStartObject();
                    w.WriteString("path", path);
                    w.WriteBoolean("valid", result.Ok);
                    if (result.Experiment is { } e) w.WriteString("experiment", e.Name);
                    w.WriteStartArray("errors");
                    foreach (var d in result.Diagnostics) WriteDiagnostic(w, d);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }
        else
        {
            foreach (var (path, result) in results)
            {
                foreach (var d in result.Diagnostics) context.Stdout.WriteLine(d.ToString());
                if (result.Ok)
                {
                    var e = result.Experiment!;
                    context.Stdout.WriteLine($"{path}: ok: experiment '{e.Name}', {e.Targets.Count} target(s), {e.Method.Count} step(s)");
                }
                else
                {
                    context.Stdout.WriteLine($"{path}: {result.Diagnostics.Count} error(s)");
                }
            }
        }
        return allOk ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    internal static void WriteDiagnostic(System.Text.Json.Utf8JsonWriter w, Diagnostic d)
    {
        w.WriteStartObject();
        w.WriteString("file", d.Location.File);
        w.WriteNumber("line", d.Location.Line);
        w.WriteNumber("column", d.Location.Column);
        w.WriteString("severity", d.Severity);
        w.WriteString("message", d.Message);
        w.WriteEndObject();
    }
}
