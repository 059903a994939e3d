using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Core.Profiles;

/// <summary>What the command line gives the profile's <c>parameters</c>: values (<c>--param name=value</c>) and the run's seed.</summary>
/// <param name="Values">Values given by name; each must be a parameter the profile declares.</param>
/// <param name="Seed">The seed a <c>pick</c> parameter without a given value is chosen with; null (validate) takes the first.</param>
public sealed record ParameterInput(IReadOnlyDictionary<string, string> Values, long? Seed)
{
    public static readonly ParameterInput None = new(new Dictionary<string, string>(), null);
}

/// <summary>One parameter's value for this plan or run, and where it came from: <c>given</c>, <c>picked</c> or <c>default</c>.</summary>
public sealed record ParameterValue(string Name, string Value, string Source, IReadOnlyList<string> Choices);

/// <summary>
/// The profile's <c>parameters</c>: <c>{zone: {pick: [us-east-1a, us-east-1b]}}</c> or <c>{zone: {default: us-east-1a}}</c>,
/// each used as <c>${zone}</c> in the strings of <c>targets</c> and <c>method</c>. A given value wins; otherwise a
/// <c>pick</c> parameter is chosen with the run's seed and a <c>default</c> one takes its default. The values are put in
/// before anything else reads the profile, so validation, the plan and its fingerprint all see the zone that will run.
/// </summary>
public static partial class ProfileParameters
{
    private static readonly string[] SpecKeys = ["pick", "default", "description"];

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex Reference();

    /// <summary>Reads the declarations and decides each value; problems go to <paramref name="d"/> at their location.</summary>
    public static IReadOnlyList<ParameterValue> Resolve(YMapping root, ParameterInput input, DiagnosticBag d)
    {
        var values = new List<ParameterValue>();
        var node = root.Get("parameters");
        if (node is not null and not YMapping)
        {
            d.Error(node.Location, $"'parameters' must be a mapping of name to {{pick: [...]}} or {{default: ...}}, not {node.KindName}");
            node = null;
        }
        foreach (var (key, spec) in (node as YMapping)?.Entries ?? [])
        {
            var name = key.Value;
            if (!NamePattern().IsMatch(name)) d.Error(key.Location, $"parameter name '{name}' must be letters, digits and _ (not starting with a digit)");
            var before = d.Items.Count;
            var r = MapReader.Of(spec, d, $"parameter '{name}'", SpecKeys);
            if (r is null) continue;
            var pick = r.StringList("pick");
            var fallback = r.String("default");
            r.String("description");
            if (pick is not null && fallback is not null) d.Error(spec.Location, $"parameter '{name}' has both pick and default; give one");
            else if (pick is null && fallback is null) d.Error(spec.Location, $"parameter '{name}' needs pick (a list to choose from) or default (a value)");
            else if (pick is { Count: 0 }) d.Error(r.LocationOf("pick"), $"parameter '{name}': 'pick' must list at least one value");
            if (d.Items.Count > before) continue;
            var choices = pick ?? [];
            if (input.Values.TryGetValue(name, out var given))
            {
                if (pick is not null && !pick.Contains(given, StringComparer.Ordinal))
                {
                    // Reported once here; the value still goes in, so its uses are not reported as unknown too.
                    d.Error(spec.Location, $"--param {name}={given} is not one of the values parameter '{name}' picks from: {string.Join(", ", pick)}");
                }
                values.Add(new ParameterValue(name, given, "given", choices));
            }
            else if (pick is not null)
            {
                values.Add(new ParameterValue(name, pick[input.Seed is { } seed ? Index(seed, name, pick.Count) : 0], "picked", choices));
            }
            else
            {
                values.Add(new ParameterValue(name, fallback!, "default", choices));
            }
        }
        foreach (var name in input.Values.Keys.Where(n => values.All(v => v.Name != n)).Order(StringComparer.Ordinal))
        {
            if (node is YMapping m && m.Get(name) is not null) continue;
            var known = values.Select(v => v.Name).ToList();
            d.Error(root.Location, known.Count == 0
                ? $"--param {name}: the profile declares no parameters"
                : DidYouMean.Unknown("parameter", name, known, "given with --param"));
        }
        return values;
    }

    /// <summary>The document with every <c>${name}</c> in the values under targets and method replaced; unknown names are errors.</summary>
    public static YMapping Substitute(YMapping root, IReadOnlyList<ParameterValue> values, DiagnosticBag d)
    {
        var byName = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        // Declared but without a value: its declaration was reported already; its uses are not reported again.
        var declared = (root.Get("parameters") as YMapping)?.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal) ?? [];
        var entries = root.Entries.Select(e => e.Key.Value is "targets" or "method"
            ? new KeyValuePair<YScalar, YNode>(e.Key, Replace(e.Value, byName, declared, d))
            : e).ToList();
        return new YMapping(entries, root.Location);
    }

    private static YNode Replace(YNode node, IReadOnlyDictionary<string, string> values, HashSet<string> declared, DiagnosticBag d) => node switch
    {
        YScalar { IsNull: false } s when s.Value.Contains("${", StringComparison.Ordinal) => new YScalar(Reference().Replace(s.Value, m =>
        {
            var name = m.Groups[1].Value;
            if (values.TryGetValue(name, out var value)) return value;
            if (declared.Contains(name)) return m.Value;
            d.Error(s.Location, values.Count == 0
                ? $"'${{{name}}}' names a parameter, but the profile declares no parameters"
                : DidYouMean.Unknown("parameter", name, values.Keys.ToList(), $"in '{s.Value}'"));
            return m.Value;
        }), s.Quoted, s.Location),
        YSequence seq => new YSequence(seq.Items.Select(i => Replace(i, values, declared, d)).ToList(), seq.Location),
        YMapping map => new YMapping(map.Entries.Select(e => new KeyValuePair<YScalar, YNode>(e.Key, Replace(e.Value, values, declared, d))).ToList(), map.Location),
        _ => node,
    };

    /// <summary>The choice for a seed: stable across runs, machines and versions (not the runtime's string hash).</summary>
    private static int Index(long seed, string name, int count)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{name}"));
        return (int)(BitConverter.ToUInt64(hash, 0) % (ulong)count);
    }
}
