using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Tests.TestSupport;

/// <summary>Builds located YAML nodes, targets and settings from text, as the profile loader would.</summary>
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
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in map.Entries)
        {
            if (e.Value is YScalar { IsNull: false } s) values[e.Key.Value] = s.Value;
        }
        return new ProviderSettings("aws", values, map, map.Location);
    }

    public static TargetSpec Target(string type, string selector, PickSpec? pick = null) =>
        new("t", type, Map(selector), pick ?? PickSpec.All, new SourceLocation("p.yaml", 1, 1), new SourceLocation("p.yaml", 1, 1));

    /// <summary>Runs a validator and returns its diagnostics as "line:col: message" lines.</summary>
    public static IReadOnlyList<string> Errors(Action<DiagnosticBag> validate)
    {
        var d = new DiagnosticBag();
        validate(d);
        return d.Items.Select(i => $"{i.Location.Line}:{i.Location.Column}: {i.Message}").ToList();
    }
}
