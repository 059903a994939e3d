namespace Simian.Cli.Tests.Support;

/// <summary>Compares output with a reviewed file under tests/ChaosCli.Tests/Golden; UPDATE_GOLDEN=1 rewrites it.</summary>
public static class Golden
{
    public static void Match(string name, string actual)
    {
        var path = Repo.Path("tests", "ChaosCli.Tests", "Golden", name);
        // The version carries the commit the build came from: it is the same everywhere, and not what a golden file checks.
        actual = actual.ReplaceLineEndings("\n").Replace(Simian.Core.SimianVersion.Text, "VERSION", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
