using System.CommandLine;

namespace Simian.Cli.Output;

/// <summary>The <c>--output text|json</c> option shared by verbs that print a result.</summary>
public static class OutputFormat
{
    public static Option<string> CreateOption() => new Option<string>("--output", "-o")
    {
        Description = "Result format: text for people, json for scripts (one document on stdout)",
        DefaultValueFactory = _ => "text",
    }.AcceptOnlyFromAmong("text", "json");
}
