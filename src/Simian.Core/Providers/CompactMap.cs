using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Simian.Core.Providers;

/// <summary>
/// A small read-only string map in one array (key, value, key, value, …), for the tags and attributes of a
/// <see cref="Resource"/>. A plan over 100,000 instances holds two per instance, so the ~216 bytes of a
/// three-entry <see cref="Dictionary{TKey,TValue}"/> against ~100 here is tens of megabytes. Lookups are linear,
/// which is as fast as hashing for the handful of entries a resource has (EC2 allows at most 50 tags).
/// Keys are unique and compared ordinally; a later duplicate key replaces the earlier value, as a dictionary would.
/// </summary>
public sealed class CompactMap : IReadOnlyDictionary<string, string>
{
    public static readonly CompactMap Empty = new([]);

    private readonly string[] _items;

    private CompactMap(string[] items) => _items = items;

    public static CompactMap From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var items = new List<string>();
        foreach (var (key, value) in pairs)
        {
            ArgumentNullException.ThrowIfNull(key);
            int at = IndexOf(items, key);
            if (at >= 0)
            {
                items[at + 1] = value ?? "";
            }
            else
            {
                items.Add(key);
                items.Add(value ?? "");
            }
        }
        return items.Count == 0 ? Empty : new CompactMap([.. items]);
    }

    public int Count => _items.Length / 2;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no entry '{key}'");

    public IEnumerable<string> Keys
    {
        get
        {
            for (int i = 0; i < _items.Length; i += 2) yield return _items[i];
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            for (int i = 1; i < _items.Length; i += 2) yield return _items[i];
        }
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        for (int i = 0; i < _items.Length; i += 2)
        {
            if (string.Equals(_items[i], key, StringComparison.Ordinal))
            {
                value = _items[i + 1];
                return true;
            }
        }
        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _items.Length; i += 2) yield return new(_items[i], _items[i + 1]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int IndexOf(List<string> items, string key)
    {
        for (int i = 0; i < items.Count; i += 2)
        {
            if (string.Equals(items[i], key, StringComparison.Ordinal)) return i;
        }
        return -1;
    }
}
