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

    /// <summary>Where a team's shared state can live: S3 (or an S3-compatible endpoint).</summary>
    public static Simian.Core.Shared.ISharedState OpenSharedState(string state, string? endpoint, TimeProvider time, Func<string, string?> env) =>
        Simian.Aws.State.SharedStateLocation.Open(state, endpoint, time, env);
}
