using System.Text.Json.Nodes;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Xunit;

namespace Simian.Testing;

/// <summary>Builds located YAML nodes, targets, settings and fault contexts from text, as the profile loader would.</summary>
public static class Yaml
{
    public static YMapping Map(string text)
    {
        var d = new DiagnosticBag();
        var node = YamlDocumentReader.ReadText(text, "test.yaml", d);
        Assert.False(d.HasErrors, string.Join("\n", d.Items));
        return node as YMapping ?? new YMapping([], new SourceLocation("test.yaml", 1, 1));
    }

    /// <summary>A provider's settings block; like the profile loader, it keeps the scalar values that are not null.</summary>
    public static ProviderSettings Settings(string provider, string text)
    {
        var map = Map(text);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in map.Entries)
        {
            if (e.Value is YScalar { IsNull: false } s) values[e.Key.Value] = s.Value;
        }
        return new ProviderSettings(provider, values, map, map.Location);
    }

    /// <summary>A target read from a profile in the temp folder (where a relative pid file is looked for).</summary>
    public static TargetSpec Target(string type, string selector, PickSpec? pick = null) =>
        new("t", type, Map(selector), pick ?? PickSpec.All, new SourceLocation(Path.Combine(Path.GetTempPath(), "p.yaml"), 1, 1), new SourceLocation("p.yaml", 1, 1));

    /// <summary>A fault's context for run1/step; <paramref name="settings"/> default to empty local settings.</summary>
    public static FaultContext Context(Resource resource, string parameters = "{}", ProviderSettings? settings = null, TimeSpan? duration = null) =>
        new("run1", "step", resource, Map(parameters), duration, settings ?? ProviderSettings.Empty("local"), TimeProvider.System);

    public static UndoContext Undo(FaultContext context, JsonObject undo) =>
        new(context.RunId, context.Resource.Id, context.Resource.Attributes, undo, context.Settings.Values, TimeProvider.System);

    /// <summary>Runs a validator and returns its diagnostics as "line:col: message" lines.</summary>
    public static IReadOnlyList<string> Errors(Action<DiagnosticBag> validate)
    {
        var d = new DiagnosticBag();
        validate(d);
        return d.Items.Select(i => $"{i.Location.Line}:{i.Location.Column}: {i.Message}").ToList();
    }
}
