namespace Simian.Fuzz.Tests.Support;

/// <summary>The valid profiles the fuzzer starts from, in the repository <see cref="Repo"/> finds.</summary>
public static class RepoFiles
{
    public static string Root => Repo.Root;

    /// <summary>Every sample, ready-made profile, template and CLI fixture, in a stable order.</summary>
    public static IReadOnlyList<string> SeedProfiles() =>
        new[] { "samples", "chaos-profiles", Path.Combine("src", "ChaosCli", "Templates"), Path.Combine("tests", "ChaosCli.Tests", "Fixtures") }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(Root, dir), "*.yaml", SearchOption.TopDirectoryOnly))
            .Order(StringComparer.Ordinal)
            .ToList();
}
