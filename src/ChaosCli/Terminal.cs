namespace Simian.Cli;

/// <summary>Whether a person is at the keyboard, and how to ask them something.</summary>
public interface ITerminal
{
    bool IsInteractive { get; }

    bool ColorEnabled { get; }

    /// <summary>Columns the terminal has now.</summary>
    int Width => 80;

    string? ReadLine();
}

/// <summary>The real console: interactive when stdin and stderr are terminals.</summary>
public sealed class ConsoleTerminal(Func<string, string?> env) : ITerminal
{
    public bool IsInteractive => !Console.IsInputRedirected && !Console.IsErrorRedirected && env("CI") is null or "" or "false";

    public bool ColorEnabled => IsInteractive && string.IsNullOrEmpty(env("NO_COLOR"));

    /// <summary>COLUMNS when a shell exported it, else what the terminal says, else 80.</summary>
    public int Width
    {
        get
        {
            if (int.TryParse(env("COLUMNS"), out var columns) && columns > 0) return columns;
            try
            {
                return Console.WindowWidth is > 0 and var w ? w : 80;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException)
            {
                return 80;
            }
        }
    }

    public string? ReadLine() => Console.In.ReadLine();
}

/// <summary>A terminal for tests and pipelines: scripted answers, never interactive unless told.</summary>
public sealed class ScriptedTerminal(bool interactive = false, params string[] answers) : ITerminal
{
    private readonly Queue<string> _answers = new(answers);

    public bool IsInteractive => interactive;

    public bool ColorEnabled => false;

    public string? ReadLine() => _answers.Count > 0 ? _answers.Dequeue() : null;
}
