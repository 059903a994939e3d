namespace Simian.Core.Diagnostics;

/// <summary>A 1-based line and column in a source file.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
