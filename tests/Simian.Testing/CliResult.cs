namespace Simian.Testing;

/// <summary>What one simian invocation returned: its exit code and everything it wrote.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>For failure messages: each stream cut at 20,000 characters (a fuzzed profile can make megabytes of output).</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Cut(Stdout)}\n--- stderr\n{Cut(Stderr)}";

    private static string Cut(string s) => s.Length > 20_000 ? s[..20_000] + $"… ({s.Length} chars)" : s;
}
