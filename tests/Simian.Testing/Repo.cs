namespace Simian.Testing;

/// <summary>Paths in the repository and the test output.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Fixtures copied next to the test assembly.</summary>
    public static string Fixture(string name) => System.IO.Path.Combine(FixtureDir, name);

    public static string FixtureDir { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>Output with the machine-specific fixture folder replaced by "Fixtures", for golden files.</summary>
    public static string Portable(string text) => text.Replace(FixtureDir, "Fixtures");

    /// <summary>The built simian, started as a real process: `dotnet simian.dll`.</summary>
    public static string SimianDll => System.IO.Path.Combine(AppContext.BaseDirectory, "simian.dll");

    /// <summary>SIMIAN_LONG_TESTS=1 asks for the long variants (more repetitions, tighter statistics).</summary>
    public static bool LongTests => Environment.GetEnvironmentVariable("SIMIAN_LONG_TESTS") is "1" or "true";

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ChaosCli.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ChaosCli.sln not found above " + AppContext.BaseDirectory);
    }
}
