namespace Simian.Fuzz.Tests.Support;

/// <summary>The repository (found by walking up to ChaosCli.sln) and the valid profiles the fuzzer starts from.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every sample, ready-made profile, template and CLI fixture, in a stable order.</summary>
    public static IReadOnlyList<string> SeedProfiles() =>
        new[] { "samples", "chaos-profiles", Path.Combine("src", "ChaosCli", "Templates"), Path.Combine("tests", "ChaosCli.Tests", "Fixtures") }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(Root, dir), "*.yaml", SearchOption.TopDirectoryOnly))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChaosCli.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ChaosCli.sln not found above " + AppContext.BaseDirectory);
    }
}
