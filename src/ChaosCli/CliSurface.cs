using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using Simian.Core.Diagnostics;

namespace Simian.Cli;

/// <summary>
/// What people see of the command line itself: help that ends with real examples and shows only <c>--help</c> and
/// <c>-h</c> (no Windows-style <c>/?</c>), parse errors in simian's own words (<c>--seed expects an integer, got
/// 'abc'</c>, <c>unknown option '--sed'; did you mean '--seed'?</c>), and completion that offers what starts with the
/// word typed so far.
/// </summary>
public static partial class CliSurface
{
    /// <summary>The root command's name, in usage lines and in "run 'simian … --help'".</summary>
    public const string RootName = "simian";

    // Weak: a process that builds the command tree many times (the tests) does not keep every tree alive.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, string[]> Examples = new();

    /// <summary>Two or three real command lines for a verb's help (each one is checked to parse, and its files to exist).</summary>
    public static T WithExamples<T>(this T command, params string[] lines)
        where T : Command
    {
        Examples.AddOrUpdate(command, lines);
        return command;
    }

    public static IReadOnlyList<string> ExamplesOf(Command command)
    {
        return Examples.TryGetValue(command, out var lines) ? lines : [];
    }

    /// <summary>
    /// Replaces the default help option with <c>--help</c>/<c>-h</c>, laid out for <paramref name="width"/> columns
    /// (asked only when help is shown: the terminal is not queried on every start), examples last.
    /// </summary>
    public static void ConfigureHelp(Command root, Func<int> width)
    {
        foreach (var old in root.Options.OfType<HelpOption>().ToList()) root.Options.Remove(old);
        var help = new HelpOption("--help", "-h") { Recursive = true, Description = "Show help, with examples" };
        if (help.Action is HelpAction standard) help.Action = new HelpWithExamples(standard, width);
        root.Options.Add(help);
    }

    /// <summary>The standard help, then the verb's examples.</summary>
    private sealed class HelpWithExamples(HelpAction standard, Func<int> width) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            standard.MaxWidth = Math.Clamp(width(), 60, 120);
            var code = standard.Invoke(parseResult);
            var examples = ExamplesOf(parseResult.CommandResult.Command);
            if (examples.Count == 0) return code;
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var line in examples) output.WriteLine("  " + line);
            output.WriteLine();
            return code;
        }
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'\.?$")]
    private static partial Regex Unrecognized();

    /// <summary>The parse errors as simian says them: one line each, no .NET type names, a did-you-mean for a misspelt option or verb.</summary>
    public static IReadOnlyList<string> Errors(ParseResult parse, IReadOnlyList<string> args)
    {
        var lines = new List<string>();
        var skip = new HashSet<string>(StringComparer.Ordinal);
        foreach (var error in parse.Errors)
        {
            var message = error.Message;
            if (CannotParse().Match(message) is { Success: true } m)
            {
                lines.Add($"{m.Groups["option"].Value} expects {Kind(m.Groups["type"].Value)}, got '{m.Groups["value"].Value}'");
                continue;
            }
            if (Unrecognized().Match(message) is { Success: true } u)
            {
                var token = u.Groups["token"].Value;
                if (skip.Contains(token)) continue;
                var command = parse.CommandResult.Command;
                if (token.StartsWith('-'))
                {
                    var known = command.Options.Where(o => !o.Hidden).SelectMany(o => new[] { o.Name }.Concat(o.Aliases)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
                    var near = DidYouMean.Suggest(token, known);
                    lines.Add(near is null ? $"unknown option '{token}' for '{Path(command)}'" : $"unknown option '{token}'; did you mean '{near}'?");
                    // What follows an unknown option is most likely its value: not a second error.
                    var at = args.ToList().IndexOf(token);
                    if (at >= 0 && at + 1 < args.Count && !args[at + 1].StartsWith('-')) skip.Add(args[at + 1]);
                }
                else if (command.Parents.FirstOrDefault() is null && !parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.Command))
                {
                    // The first word is the verb; the rest belong to it, so they are not errors of their own.
                    var verbs = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
                    if (!lines.Any(l => l.StartsWith("unknown command", StringComparison.Ordinal))) lines.Add(DidYouMean.Unknown("command", token, verbs));
                }
                else
                {
                    lines.Add($"unexpected argument '{token}' for '{Path(command)}'");
                }
                continue;
            }
            lines.Add(message.TrimEnd('.'));
        }
        // "Required command was not provided" says nothing more once an unknown verb was named; alone, it names the verbs.
        if (lines.Any(l => l.StartsWith("unknown command", StringComparison.Ordinal))) lines.RemoveAll(l => l.StartsWith("Required command", StringComparison.Ordinal));
        var verbList = string.Join(", ", parse.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith("Required command was not provided", StringComparison.Ordinal)) lines[i] = $"no command given: name one of {verbList}";
        }
        return lines;
    }

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("Int64", StringComparison.Ordinal) || type.Contains("Int32", StringComparison.Ordinal) => "an integer",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("TimeSpan", StringComparison.Ordinal) => "a duration such as 30s or 5m",
        _ => "a value of another kind",
    };

    internal static string Path(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault()) names.Insert(0, c.Name);
        return string.Join(' ', names);
    }

    /// <summary>
    /// Completion for shells (<c>simian "[suggest:POSITION]" "COMMAND LINE"</c>, what the README's bash, zsh and fish
    /// snippets call): what may come at the cursor and starts with the word typed so far — never a Windows-only alias.
    /// </summary>
    public static IReadOnlyList<string> Complete(Command root, string directive, string line)
    {
        var position = line.Length;
        var colon = directive.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(directive[(colon + 1)..].TrimEnd(']'), out var p) && p >= 0) position = Math.Min(p, line.Length);
        var text = line[..position];
        // The command's own name comes first on a shell's line.
        var first = text.TrimStart();
        var space = first.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? first : first[..space];
        if (name.Length > 0 && System.IO.Path.GetFileNameWithoutExtension(name) == "simian") text = space < 0 ? "" : first[(space + 1)..];
        var word = text.Length == 0 || char.IsWhiteSpace(text[^1]) ? "" : text[(text.LastIndexOf(' ') + 1)..];
        var parse = root.Parse(text);
        return parse.GetCompletions(text.Length)
            .Select(c => c.Label)
            .Where(l => l.StartsWith(word, StringComparison.Ordinal) && !l.StartsWith('/') && l != "-?")
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
