using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;

namespace Simian.Cli.Tests.Schema;

/// <summary>
/// Walks every registered provider, target type, fault, selector key and parameter, and requires each to be what
/// validation accepts, in the JSON Schema, and in docs/profile-format.md: a new fault or key cannot ship undocumented.
/// </summary>
public sealed class CoverageTests
{
    private static readonly ProviderRegistry Registry = ProfileSchema.Registry();
    private static readonly JsonObject Schema = JsonNode.Parse(File.ReadAllText(ProfileSchema.FilePath))!.AsObject();
    private static readonly JsonObject Defs = Schema["$defs"]!.AsObject();
    private static readonly string Docs = File.ReadAllText(Repo.Path("docs", "profile-format.md"));

    public static TheoryData<string> TargetTypes() => [.. Registry.Providers.SelectMany(p => p.TargetTypes).Select(t => t.Name)];

    public static TheoryData<string, string> Faults()
    {
        var data = new TheoryData<string, string>();
        foreach (var t in Registry.Providers.SelectMany(p => p.TargetTypes))
        {
            foreach (var f in t.Faults) data.Add(t.Name, f.Name);
        }
        return data;
    }

    public static TheoryData<string> Providers() => [.. Registry.Providers.Select(p => p.Name)];

    private static ITargetType Type(string name) => Registry.Providers.SelectMany(p => p.TargetTypes).Single(t => t.Name == name);

    /// <summary>The keys validation accepts, read from its own "unknown key" error for a key nobody would write.</summary>
    private static IReadOnlyList<string> Accepted(Action<Simian.Core.Yaml.YMapping, DiagnosticBag> validate)
    {
        var d = new DiagnosticBag();
        validate(Yaml.Map("{zzqqxxjj: 1}"), d);
        var unknown = d.Items.Select(i => Regex.Match(i.Message, "^unknown key 'zzqqxxjj'.*; known: (.*)$")).Single(m => m.Success);
        return unknown.Groups[1].Value.Split(", ", StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The section of the docs under a heading (up to the next heading of the same or a higher level).</summary>
    private static string Section(string heading)
    {
        var m = Regex.Match(Docs, $"^(#+) {Regex.Escape(heading)}\\s*$", RegexOptions.Multiline);
        Assert.True(m.Success, $"docs/profile-format.md has no heading '{heading}'");
        var level = m.Groups[1].Value.Length;
        var next = Regex.Match(Docs[(m.Index + m.Length)..], $"^#{{1,{level}}} ", RegexOptions.Multiline);
        return next.Success ? Docs.Substring(m.Index, m.Length + next.Index) : Docs[m.Index..];
    }

    private static IEnumerable<string> Properties(string def) => Defs[def]!["properties"]!.AsObject().Select(p => p.Key);

    [Theory]
    [MemberData(nameof(TargetTypes))]
    public void Every_target_type_and_its_selector_keys_are_validated_in_the_schema_and_documented(string name)
    {
        var type = Type(name);

        Assert.Equal(type.SelectorKeys.Order(), Accepted(type.ValidateSelector).Order());
        Assert.Contains(name, Defs["target"]!["properties"]!["type"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(type.SelectorKeys.Order(), Properties("selector." + name.Replace(':', '.')).Order());
        var section = Section($"`{name}`");
        Assert.All(type.SelectorKeys, key => Assert.Contains($"`{key}`", section));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Every_fault_and_its_parameters_are_validated_in_the_schema_and_documented(string typeName, string faultName)
    {
        var fault = Type(typeName).Faults.Single(f => f.Name == faultName);

        Assert.Equal(fault.ParameterKeys.Order(), Accepted(fault.ValidateParams).Order());
        Assert.Contains(faultName, Defs["faultStep"]!["properties"]!["fault"]!["enum"]!.AsArray().Select(v => (string?)v));
        var rule = Defs["faultStep"]!["allOf"]!.AsArray().Single(r => (string?)r!["if"]!["properties"]!["fault"]!["const"] == faultName);
        var reference = ((string)rule!["then"]!["properties"]!["params"]!["$ref"]!).Replace("#/$defs/", "", StringComparison.Ordinal);
        Assert.Equal(fault.ParameterKeys.Order(), (Defs[reference]!["properties"]?.AsObject().Select(p => p.Key) ?? []).Order());
        var section = Section($"`{faultName}`");
        Assert.All(fault.ParameterKeys, key => Assert.Contains($"`{key}`", section));
        Assert.Contains($"`{typeName}`", Section("Faults"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_provider_setting_is_in_the_schema_and_documented(string name)
    {
        var provider = Registry.Providers.Single(p => p.Name == name);

        Assert.Equal(provider.SettingKeys.Order(), Properties($"{name}Settings").Order());
        Assert.Contains(name, Defs["providers"]!["properties"]!.AsObject().Select(p => p.Key));
        var section = Section($"`providers.{name}`");
        Assert.All(provider.SettingKeys, key => Assert.Contains($"`{key}`", section));
    }
}
