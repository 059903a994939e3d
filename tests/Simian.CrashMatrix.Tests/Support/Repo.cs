namespace Simian.CrashMatrix.Tests.Support;

/// <summary>Paths in the repository and the test output.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The built simian, started as a real process: `dotnet simian.dll`.</summary>
    public static string SimianDll => System.IO.Path.Combine(AppContext.BaseDirectory, "simian.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ChaosCli.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ChaosCli.sln not found above " + AppContext.BaseDirectory);
    }
}
