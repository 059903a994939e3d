using System.Globalization;

namespace Simian.Proxy;

/// <summary>Reads and range-checks a toxic's numeric attributes, so each toxic states its parameters and nothing else.</summary>
internal sealed class ToxicAttributes
{
    private readonly string _type;
    private readonly IReadOnlyDictionary<string, double> _given;
    private readonly Dictionary<string, double> _resolved = new(StringComparer.Ordinal);

    public ToxicAttributes(string type, IReadOnlyDictionary<string, double>? given)
    {
        _type = type;
        _given = given ?? new Dictionary<string, double>();
    }

    public double Required(string name, double min, double max)
    {
        if (!_given.ContainsKey(name))
        {
            throw Invalid($"{_type} toxic needs attribute '{name}'");
        }

        return Optional(name, double.NaN, min, max);
    }

    public double Optional(string name, double defaultValue, double min, double max)
    {
        if (!_given.TryGetValue(name, out double value))
        {
            _resolved[name] = defaultValue;
            return defaultValue;
        }

        if (!double.IsFinite(value) || value < min || value > max)
        {
            throw Invalid(string.Create(
                CultureInfo.InvariantCulture,
                $"{_type} attribute '{name}' must be between {min} and {max}, got {value}"));
        }

        _resolved[name] = value;
        return value;
    }

    /// <summary>Rejects attributes the toxic did not ask for: a misspelt one would otherwise be silently ignored.</summary>
    public IReadOnlyDictionary<string, double> Finish()
    {
        foreach (string name in _given.Keys)
        {
            if (!_resolved.ContainsKey(name))
            {
                string known = _resolved.Count == 0 ? "none" : string.Join(", ", _resolved.Keys);
                throw Invalid($"{_type} toxic has no attribute '{name}'; known attributes: {known}");
            }
        }

        return _resolved;
    }

    private static ProxyException Invalid(string message) => new(ProxyErrorKind.Invalid, message);
}
