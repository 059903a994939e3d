namespace Simian.Aws.Ec2;

/// <summary>
/// Shares equal strings across the instances of one listing: the SDK parses every tag key, zone and value of every
/// instance into a string of its own, while a fleet repeats a few dozen of them. Bounded, so a listing whose values
/// are all different (Name tags) costs no more than without it.
/// </summary>
internal sealed class StringPool
{
    private const int MaxEntries = 4096;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string? Share(string? s)
    {
        if (s is null) return null;
        if (_strings.TryGetValue(s, out var shared)) return shared;
        if (_strings.Count < MaxEntries) _strings[s] = s;
        return s;
    }
}
