using Xunit;

namespace Simian.Testing;

/// <summary>
/// The external programs some tests drive (independent AWS clients, a browser, tracers), and where each is looked for.
/// Under CI (<c>CI=true</c>) every one is required: <c>.ci/run</c> installs them, and a test that finds one missing
/// fails. Elsewhere a test that needs a missing one is reported as skipped, with the reason and how to install it —
/// never passed silently.
/// </summary>
public static class Tools
{
    public const string AwsCli = "awscli";
    public const string Boto3 = "boto3";
    public const string Chromium = "chromium";

    public static bool InCi =>
        Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>Why the tools cannot be used here (what is missing and how to install it), or null when all are present.</summary>
    public static string? Missing(params string[] tools)
    {
        var missing = tools.Where(t => !Present(t)).Select(t => $"{t} is not installed ({Install(t)})").ToList();
        return missing.Count == 0 ? null : string.Join("; ", missing);
    }

    private static bool Present(string tool) => tool switch
    {
        AwsCli => File.Exists("/usr/bin/aws"),
        Boto3 => File.Exists("/usr/bin/python3") && File.Exists("/usr/lib/python3/dist-packages/boto3/__init__.py"),
        Chromium => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "chromium")))
            .Any(File.Exists),
        _ => File.Exists(Path.Combine("/usr/bin", tool)),
    };

    private static string Install(string tool) => tool switch
    {
        AwsCli => "apt-get install -y awscli",
        Boto3 => "apt-get install -y python3-boto3",
        _ => $"apt-get install -y {tool}",
    };

    /// <summary>The skip reason for a test needing these tools: null under CI (they are required there) or when all are present.</summary>
    internal static string? SkipReason(string[] tools) =>
        InCi || Missing(tools) is not { } why ? null : $"{why}; CI=true requires it";
}

/// <summary>A fact that needs external programs (<see cref="Tools"/>): skipped with the reason where one is missing outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        if (Tools.SkipReason(tools) is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs external programs (<see cref="Tools"/>): skipped with the reason where one is missing outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(params string[] tools)
    {
        if (Tools.SkipReason(tools) is { } reason) Skip = reason;
    }
}
