using Simian.Aws;
using Simian.Core.Providers;
using Simian.Local;

namespace Simian.Cli;

/// <summary>The one place where providers are registered. Add a provider here and nowhere else.</summary>
public static class Composition
{
    public static ProviderRegistry CreateRegistry(HttpClient http, TimeProvider time, string simianCommand, Func<string, string?> env) => new(
    [
        new LocalProvider(http, time, simianCommand, env),
        new AwsProvider(time, env),
    ]);
}
