using System.Globalization;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;

namespace Simian.Core.Yaml;

/// <summary>
/// Reads typed values out of a YAML mapping, reporting each problem with its location instead of throwing.
/// Unknown keys are reported with a did-you-mean. Providers use it for their selectors and fault params.
/// </summary>
public sealed class MapReader
{
    private readonly YMapping _map;
    private readonly DiagnosticBag _diagnostics;
    private readonly string _context;

    public MapReader(YMapping map, DiagnosticBag diagnostics, string context, IReadOnlyCollection<string> knownKeys)
    {
        _map = map;
        _diagnostics = diagnostics;
        _context = context;
        foreach (var entry in map.Entries)
        {
            if (!knownKeys.Contains(entry.Key.Value))
            {
                diagnostics.Error(entry.Key.Location, DidYouMean.Unknown("key", entry.Key.Value, knownKeys, $"in {context}"));
            }
        }
    }

    /// <summary>Reads a node that must be a mapping, or reports what it is instead.</summary>
    public static MapReader? Of(YNode? node, DiagnosticBag diagnostics, string context, IReadOnlyCollection<string> knownKeys)
    {
        if (node is null) return null;
        if (node is YMapping map) return new MapReader(map, diagnostics, context, knownKeys);
        diagnostics.Error(node.Location, $"{context} must be a mapping, not {node.KindName}");
        return null;
    }

    public YMapping Node => _map;

    public DiagnosticBag Diagnostics => _diagnostics;

    public SourceLocation Location => _map.Location;

    public bool Has(string key) => _map.Get(key) is not null and not YScalar { IsNull: true };

    public SourceLocation LocationOf(string key) => _map.Entry(key)?.Key.Location ?? _map.Location;

    public YNode? Raw(string key) => _map.Get(key);

    public string? String(string key, bool required = false)
    {
        var node = _map.Get(key);
        if (node is null or YScalar { IsNull: true })
        {
            if (required) _diagnostics.Error(_map.Location, $"{_context} is missing required key '{key}'");
            return null;
        }
        if (node is YScalar s) return s.Value;
        _diagnostics.Error(node.Location, $"'{key}' must be a string, not {node.KindName}");
        return null;
    }

    public long? Integer(string key, long min = long.MinValue, long max = long.MaxValue, bool required = false)
    {
        var node = Scalar(key, required, "a whole number");
        if (node is null) return null;
        if (!long.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            _diagnostics.Error(node.Location, $"'{key}' must be a whole number, not '{Short(node.Value)}'");
            return null;
        }
        if (v < min || v > max)
        {
            _diagnostics.Error(node.Location, $"'{key}' must be between {min} and {max}, not {v}");
            return null;
        }
        return v;
    }

    public double? Number(string key, double min, double max, bool required = false)
    {
        var node = Scalar(key, required, "a number");
        if (node is null) return null;
        if (!double.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            _diagnostics.Error(node.Location, $"'{key}' must be a number, not '{Short(node.Value)}'");
            return null;
        }
        if (v < min || v > max)
        {
            _diagnostics.Error(node.Location, $"'{key}' must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, not {node.Value}");
            return null;
        }
        return v;
    }

    public bool? Boolean(string key)
    {
        var node = Scalar(key, false, "true or false");
        if (node is null) return null;
        switch (node.Value)
        {
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
            default:
                _diagnostics.Error(node.Location, $"'{key}' must be true or false, not '{Short(node.Value)}'");
                return null;
        }
    }

    public TimeSpan? Duration(string key, bool required = false, TimeSpan? min = null, TimeSpan? max = null)
    {
        var node = Scalar(key, required, "a duration");
        if (node is null) return null;
        if (!Profiles.Duration.TryParse(node.Value, out var value, out var error))
        {
            _diagnostics.Error(node.Location, $"'{key}': {error}");
            return null;
        }
        if (min is { } m && value < m)
        {
            _diagnostics.Error(node.Location, $"'{key}' must be at least {Profiles.Duration.Format(m)}");
            return null;
        }
        if (max is { } x && value > x)
        {
            _diagnostics.Error(node.Location, $"'{key}' must be at most {Profiles.Duration.Format(x)}");
            return null;
        }
        return value;
    }

    public string? Choice(string key, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var node = Scalar(key, required, $"one of {string.Join(", ", allowed)}");
        if (node is null) return null;
        if (allowed.Contains(node.Value)) return node.Value;
        _diagnostics.Error(node.Location, DidYouMean.Unknown($"{key}", node.Value, allowed));
        return null;
    }

    public IReadOnlyList<string>? StringList(string key, bool required = false)
    {
        var node = _map.Get(key);
        if (node is null or YScalar { IsNull: true })
        {
            if (required) _diagnostics.Error(_map.Location, $"{_context} is missing required key '{key}'");
            return null;
        }
        if (node is not YSequence seq)
        {
            _diagnostics.Error(node.Location, $"'{key}' must be a list, not {node.KindName}");
            return null;
        }
        var list = new List<string>();
        foreach (var item in seq.Items)
        {
            if (item is YScalar { IsNull: false } s) list.Add(s.Value);
            else _diagnostics.Error(item.Location, $"items of '{key}' must be strings, not {item.KindName}");
        }
        return list;
    }

    public IReadOnlyDictionary<string, string>? StringMap(string key)
    {
        var node = _map.Get(key);
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is not YMapping map)
        {
            _diagnostics.Error(node.Location, $"'{key}' must be a mapping of names to values, not {node.KindName}");
            return null;
        }
        var dict = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (entry.Value is YScalar { IsNull: false } s) dict[entry.Key.Value] = s.Value;
            else _diagnostics.Error(entry.Value.Location, $"values of '{key}' must be strings, not {entry.Value.KindName}");
        }
        return dict;
    }

    public YMapping? Mapping(string key, bool required = false)
    {
        var node = _map.Get(key);
        if (node is null or YScalar { IsNull: true })
        {
            if (required) _diagnostics.Error(_map.Location, $"{_context} is missing required key '{key}'");
            return null;
        }
        if (node is YMapping m) return m;
        _diagnostics.Error(node.Location, $"'{key}' must be a mapping, not {node.KindName}");
        return null;
    }

    public YSequence? Sequence(string key, bool required = false)
    {
        var node = _map.Get(key);
        if (node is null or YScalar { IsNull: true })
        {
            if (required) _diagnostics.Error(_map.Location, $"{_context} is missing required key '{key}'");
            return null;
        }
        if (node is YSequence s) return s;
        _diagnostics.Error(node.Location, $"'{key}' must be a list, not {node.KindName}");
        return null;
    }

    private YScalar? Scalar(string key, bool required, string expected)
    {
        var node = _map.Get(key);
        if (node is null or YScalar { IsNull: true })
        {
            if (required) _diagnostics.Error(_map.Location, $"{_context} is missing required key '{key}'");
            return null;
        }
        if (node is YScalar s) return s;
        _diagnostics.Error(node.Location, $"'{key}' must be {expected}, not {node.KindName}");
        return null;
    }

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
