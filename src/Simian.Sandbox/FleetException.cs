namespace Simian.Sandbox;

/// <summary>A fleet that cannot be used; the message reads <c>path:line:col: error: ...</c> when the place is known.</summary>
public sealed class FleetException : Exception
{
    public FleetException(string message)
        : base($"error: {message}")
    {
        Detail = message;
    }

    public FleetException(string path, int line, int column, string message)
        : base($"{path}:{line}:{column}: error: {message}")
    {
        Path = path;
        Line = line;
        Column = column;
        Detail = message;
    }

    public string? Path { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The message without its location prefix.</summary>
    public string Detail { get; }
}
