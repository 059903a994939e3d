using System.CommandLine;
using Simian.Cli.Commands;
using Simian.Core;
using Simian.Core.Profiles;

namespace Simian.Cli;

/// <summary>The whole CLI behind one call: parse, run the verb, and map typed errors to exit codes, here only.</summary>
public static class CliApp
{
    /// <summary>Every verb, in the order the root's help lists them.</summary>
    private static readonly (string Name, Func<CliContext, Command> Create)[] Verbs =
    [
        ("validate", ValidateCommand.Create),
        ("plan", PlanCommand.Create),
        ("run", RunCommand.Create),
        ("recover", RecoverCommand.Create),
        ("report", ReportCommand.Create),
        ("targets", TargetsCommand.Create),
        ("proxy", ProxyCommand.Create),
        ("init", InitCommand.Create),
        ("sandbox", SandboxCommand.Create),
        ("demo-server", DemoServerCommand.Create),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliServices services)
    {
        var context = new CliContext(services, stdout, stderr);
        // A plain command, not System.CommandLine's RootCommand: that one works out the executable's name and loads
        // its resources for the default option texts on every start (~5% of `simian --version`); simian names itself.
        var root = new Command(CliSurface.RootName, "simian: rehearse failure on purpose, safely. Chaos experiments with a blast-radius guard and guaranteed rollback.")
        {
            new Option<bool>("--version") { Description = "Show version information", Arity = ArgumentArity.Zero, Action = new PrintVersion() },
        };
        // Only the verb that was asked for is built (start-up time); the root's help, completion and a mistyped verb
        // (did-you-mean) get them all.
        var asked = args.Length > 0 && Array.Exists(Verbs, v => v.Name == args[0]) ? args[0] : null;
        foreach (var (name, create) in Verbs)
        {
            if (asked is null || asked == name) root.Subcommands.Add(create(context));
        }
        // Help is set up only when it can be wanted: System.CommandLine's help option loads its resources, a tenth of
        // a verb's start-up. A parse error re-parses with it, so did-you-mean still knows --help.
        void AddHelp() => CliSurface.ConfigureHelp(root, () => services.Terminal.Width);
        var withHelp = asked is null || Array.Exists(args, a => a is "--help" or "-h");
        if (withHelp) AddHelp();
        root.WithExamples("simian run samples/quickstart.yaml", "simian plan chaos-profiles/zone-outage.yaml --param zone=us-east-1c", "simian sandbox");
        // Completion for shells: `simian "[suggest:POSITION]" "LINE"` (README: bash, zsh, fish).
        if (args.Length > 0 && args[0].StartsWith("[suggest", StringComparison.Ordinal))
        {
            foreach (var item in CliSurface.Complete(root, args[0], args.Length > 1 ? args[1] : "")) await stdout.WriteLineAsync(item).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && !withHelp)
        {
            AddHelp();
            parse = root.Parse(args);
        }
        if (parse.Errors.Count > 0)
        {
            foreach (var error in CliSurface.Errors(parse, args)) await stderr.WriteLineAsync($"simian: {error}").ConfigureAwait(false);
            await stderr.WriteLineAsync($"Run '{CliSurface.Path(parse.CommandResult.Command)} --help' for usage and examples.").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            // Signals are ours (SignalHub): System.CommandLine's handler would cut a rollback short after 2 s.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parse.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            foreach (var d in e.Diagnostics) await stderr.WriteLineAsync(d.ToString()).ConfigureAwait(false);
            if (e.Diagnostics.Count == 0 || e.Message.Length > 0) await stderr.WriteLineAsync($"simian: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (SimianException e)
        {
            await stderr.WriteLineAsync($"simian: {Redaction.Text(e.Message)}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The machine got in the way (a full disk, a path that cannot be read or written): not a bug.
            await stderr.WriteLineAsync($"simian: {Redaction.Text(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Provider;
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"simian: internal error: {e.GetType().Name}: {Redaction.Text(e.Message)}").ConfigureAwait(false);
            if (services.Env("SIMIAN_DEBUG") is "1" or "true") await stderr.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            else await stderr.WriteLineAsync("This is a bug; please report it (set SIMIAN_DEBUG=1 for details).").ConfigureAwait(false);
            return ExitCodes.Internal;
        }
    }
}

/// <summary>What every verb gets: services and the two output streams.</summary>
public sealed record CliContext(CliServices Services, TextWriter Stdout, TextWriter Stderr);

/// <summary><c>simian --version</c>: <see cref="SimianVersion"/>, the one version.</summary>
internal sealed class PrintVersion : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(SimianVersion.Text);
        return ExitCodes.Ok;
    }
}
