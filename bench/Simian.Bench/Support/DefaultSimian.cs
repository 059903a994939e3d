namespace Simian.Bench.Support;

/// <summary>The simian this harness was built with: the apphost copied next to it from the ChaosCli reference.</summary>
public static class DefaultSimian
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "simian");
}
