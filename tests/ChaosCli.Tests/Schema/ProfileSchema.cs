using System.Text.Json;
using Json.Schema;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Cli.Tests.Schema;

/// <summary>The published JSON Schema for profiles, and the loader it must agree with.</summary>
public static class ProfileSchema
{
    public static string FilePath => Repo.Path("schema", "simian-v1.schema.json");

    private static readonly Lazy<JsonSchema> Built = new(() => JsonSchema.FromFile(FilePath));

    private static readonly HttpClient Http = new();

    public static JsonSchema Schema => Built.Value;

    /// <summary>The providers this build registers.</summary>
    public static ProviderRegistry Registry() => Composition.CreateRegistry(Http, TimeProvider.System, "simian", _ => null);

    /// <summary>A loader with the providers this build registers.</summary>
    public static ProfileLoader Loader() => new(Registry());

    /// <summary>Every schema error for a document, as "instance location: message"; empty when it validates.</summary>
    public static IReadOnlyList<string> Errors(JsonElement instance)
    {
        var results = Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var errors = new List<string>();
        foreach (var node in (IEnumerable<EvaluationResults>?)results.Details ?? [])
        {
            if (node.Errors is null) continue;
            // An if-condition that does not hold is not a failure; listing it only buries the real errors.
            var path = node.EvaluationPath.ToString();
            if (path.Contains("/if/", StringComparison.Ordinal) || path.EndsWith("/if", StringComparison.Ordinal)) continue;
            errors.AddRange(node.Errors.Select(e => $"{node.InstanceLocation} ({node.EvaluationPath}): {e.Value}"));
        }
        if (errors.Count == 0) errors.Add("invalid (no detail)");
        return errors;
    }

    public static IReadOnlyList<string> Errors(string yaml) => Errors(YamlJson.ToElement(yaml));
}
