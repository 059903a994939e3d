using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Local.Tests.Support;

/// <summary>Builds located YAML nodes and contexts from text, as the loader would.</summary>
public static class Yaml
{
    public static YMapping Map(string text)
    {
        var d = new DiagnosticBag();
        var node = YamlDocumentReader.ReadText(text, "test.yaml", d);
        Assert.False(d.HasErrors, string.Join("\n", d.Items));
        return node as YMapping ?? new YMapping([], new SourceLocation("test.yaml", 1, 1));
    }

    public static ProviderSettings Settings(string text)
    {
        var map = Map(text);
        var values = map.Entries.Where(e => e.Value is YScalar).ToDictionary(e => e.Key.Value, e => ((YScalar)e.Value).Value);
        return new ProviderSettings("local", values, map, map.Location);
    }

    public static TargetSpec Target(string type, string selector) =>
        new("t", type, Map(selector), PickSpec.All, new SourceLocation(Path.Combine(Path.GetTempPath(), "p.yaml"), 1, 1), new SourceLocation("p.yaml", 1, 1));

    public static FaultContext Context(Resource resource, string parameters = "{}", ProviderSettings? settings = null, TimeSpan? duration = null) =>
        new("run1", "step", resource, Map(parameters), duration, settings ?? ProviderSettings.Empty("local"), TimeProvider.System);

    public static UndoContext Undo(FaultContext context, System.Text.Json.Nodes.JsonObject undo) =>
        new(context.RunId, context.Resource.Id, context.Resource.Attributes, undo, context.Settings.Values, TimeProvider.System);
}
