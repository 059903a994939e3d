namespace Simian.Core.Diagnostics;

/// <summary>One problem found in a profile, printed as <c>path:line:col: error: message</c>.</summary>
public sealed record Diagnostic(SourceLocation Location, string Message, string Severity = "error")
{
    public override string ToString() => $"{Location}: {Severity}: {Message}";
}
