using Simian.Core.Providers;
using Simian.Local;

namespace Simian.Cli;

/// <summary>The one place where providers are registered. Add a provider here and nowhere else.</summary>
public static class Composition
{
    public static ProviderRegistry CreateRegistry(HttpClient http, TimeProvider time, string executablePath) => new(
    [
        new LocalProvider(http, time, executablePath),
    ]);
}
