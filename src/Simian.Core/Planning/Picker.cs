using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Core.Planning;

/// <summary>Applies <c>pick</c>: random but reproducible for a given seed, independent of the order a provider listed things.</summary>
public static class Picker
{
    public static (IReadOnlyList<Resource> Selected, IReadOnlyList<Exclusion> NotPicked) Pick(
        IReadOnlyList<Resource> candidates, PickSpec pick, long seed, string targetName)
    {
        var ordered = candidates.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        if (pick.IsAll && pick.Per is null) return (ordered, []);

        var selected = new List<Resource>();
        var notPicked = new List<Exclusion>();
        var groups = pick.Per is null
            ? [new KeyValuePair<string, List<Resource>>("", ordered)]
            : Group(ordered, pick.Per, notPicked);
        var notPickedReason = $"not picked ({pick})"; // one string for every exclusion, not one each
        foreach (var (group, members) in groups)
        {
            var random = new Random(unchecked((int)(seed ^ StableHash(targetName + "\u0000" + group))));
            var shuffled = members.ToArray();
            random.Shuffle(shuffled);
            var take = HowMany(shuffled.Length, pick);
            selected.AddRange(shuffled.Take(take));
            notPicked.AddRange(shuffled.Skip(take).Select(r => new Exclusion(r.Id, notPickedReason)));
        }
        return (selected.OrderBy(r => r.Id, StringComparer.Ordinal).ToList(), notPicked.OrderBy(e => e.Id, StringComparer.Ordinal).ToList());
    }

    /// <summary>How many of <paramref name="n"/> a pick takes: a percentage rounds down but takes at least one.</summary>
    public static int HowMany(int n, PickSpec pick)
    {
        if (n == 0) return 0;
        if (pick.Count is { } count) return Math.Min(count, n);
        if (pick.Percent is { } percent) return Math.Clamp((int)Math.Floor(n * percent / 100.0 + 1e-9), 1, n);
        return n;
    }

    /// <summary>Whether <paramref name="per"/> is <c>tag:NAME</c> with a name: groups by a tag, for any target type that has tags.</summary>
    public static bool IsTagPer(string per) => per.StartsWith("tag:", StringComparison.Ordinal) && per.Length > 4;

    /// <summary>The group a resource belongs to for <c>pick.per</c>: <c>zone</c>, <c>region</c>, <c>tag:NAME</c> or an attribute.</summary>
    public static string? GroupKey(Resource r, string per) => per switch
    {
        "zone" => r.Zone,
        "region" => r.Region,
        _ when per.StartsWith("tag:", StringComparison.Ordinal) => r.Tags?.GetValueOrDefault(per[4..]),
        _ => r.Attribute(per),
    };

    private static IEnumerable<KeyValuePair<string, List<Resource>>> Group(List<Resource> ordered, string per, List<Exclusion> notPicked)
    {
        var groups = new SortedDictionary<string, List<Resource>>(StringComparer.Ordinal);
        var noGroupReason = $"has no {per} to group by";
        foreach (var r in ordered)
        {
            var key = GroupKey(r, per);
            if (key is null)
            {
                notPicked.Add(new Exclusion(r.Id, noGroupReason));
                continue;
            }
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(r);
        }
        return groups;
    }

    private static long StableHash(string s)
    {
        // FNV-1a: string.GetHashCode is randomised per process, which would break reproducibility.
        var hash = 14695981039346656037UL;
        foreach (var c in s)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return (long)hash;
    }
}
