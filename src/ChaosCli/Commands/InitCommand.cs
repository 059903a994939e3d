using System.CommandLine;
using Simian.Core;

namespace Simian.Cli.Commands;

/// <summary><c>simian init [--template NAME]</c>: writes a commented starter profile that validates.</summary>
public static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var template = new Option<string>("--template", "-t")
        {
            Description = "Starter to write: " + string.Join(", ", Templates.Names),
            DefaultValueFactory = _ => "latency",
        }.AcceptOnlyFromAmong([.. Templates.Names]);
        var output = new Option<string?>("--out") { Description = "File to write (default: <template>.yaml)" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file" };
        var command = new Command("init", "Write a commented starter profile") { template, output, force };
        command.SetAction((parse, _) => Task.FromResult(Run(context, parse.GetValue(template)!, parse.GetValue(output), parse.GetValue(force))));
        return command.WithExamples("simian init", "simian init --template bucket > s3-outage.yaml");
    }

    public static int Run(CliContext context, string template, string? output, bool force)
    {
        var path = output ?? $"{template}.yaml";
        if (File.Exists(path) && !force) throw new InvalidInputException($"{path} already exists; pass --force to overwrite it");
        File.WriteAllText(path, Templates.Get(template));
        context.Stdout.WriteLine($"wrote {path}; next: simian validate {path} && simian plan {path}");
        return ExitCodes.Ok;
    }
}
