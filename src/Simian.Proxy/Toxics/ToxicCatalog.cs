namespace Simian.Proxy;

/// <summary>The one explicit list of toxic types; an unknown type is refused with the known ones listed.</summary>
internal static class ToxicCatalog
{
    private static readonly KeyValuePair<string, Func<ToxicAttributes, IToxic>>[] Types =
    [
        new("bandwidth", BandwidthToxic.Create),
        new("blackhole", BlackholeToxic.Create),
        new("latency", LatencyToxic.Create),
        new("reset", ResetToxic.Create),
    ];

    public static IReadOnlyList<string> KnownTypes { get; } = Array.ConvertAll(Types, t => t.Key);

    public static IToxic Create(string? type, IReadOnlyDictionary<string, double>? attributes, out IReadOnlyDictionary<string, double> resolved)
    {
        if (string.IsNullOrEmpty(type))
        {
            throw new ProxyException(ProxyErrorKind.Invalid, $"toxic type is required; known types: {string.Join(", ", KnownTypes)}");
        }

        foreach (var entry in Types)
        {
            if (string.Equals(entry.Key, type, StringComparison.Ordinal))
            {
                var reader = new ToxicAttributes(type, attributes);
                IToxic toxic = entry.Value(reader);
                resolved = reader.Finish();
                return toxic;
            }
        }

        throw new ProxyException(
            ProxyErrorKind.Invalid,
            $"unknown toxic type '{type}'; known types: {string.Join(", ", KnownTypes)}");
    }
}
