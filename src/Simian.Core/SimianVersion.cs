using System.Reflection;

namespace Simian.Core;

/// <summary>
/// Simian's version, from one source (<c>Version</c> in Directory.Build.props, with the commit the build came from):
/// what <c>simian --version</c> prints, what journals record, what reports and JSON outputs state.
/// </summary>
public static class SimianVersion
{
    public static string Text { get; } =
        typeof(SimianVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
