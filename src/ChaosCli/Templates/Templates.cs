namespace Simian.Cli;

/// <summary>The starter profiles <c>simian init</c> writes, embedded from Templates/*.yaml.</summary>
public static class Templates
{
    public static IReadOnlyList<string> Names { get; } = ["latency", "process", "instance", "bucket"];

    public static string Get(string name)
    {
        using var stream = typeof(Templates).Assembly.GetManifestResourceStream($"Simian.Cli.Templates.{name}.yaml")
            ?? throw new ArgumentException($"no template '{name}'");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
