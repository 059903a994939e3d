using Simian.Core.Providers;

namespace Simian.Core.Tests.Providers;

public sealed class CompactMapTests
{
    [Fact]
    public void Behaves_like_a_dictionary_built_from_the_same_pairs()
    {
        KeyValuePair<string, string>[] pairs = [new("app", "web"), new("Name", "web-1"), new("env", "prod"), new("app", "api")];
        var map = CompactMap.From(pairs);
        var dictionary = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs) dictionary[k] = v;

        Assert.Equal(dictionary.Count, map.Count);
        Assert.Equal(dictionary.OrderBy(p => p.Key, StringComparer.Ordinal), map.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(["app", "Name", "env"], map.Keys);
        Assert.Equal(["api", "web-1", "prod"], map.Values);
        Assert.Equal("api", map["app"]); // a later duplicate replaces the earlier value, in place
        Assert.True(map.ContainsKey("env"));
    }

    [Fact]
    public void Keys_are_compared_ordinally_and_missing_keys_are_reported()
    {
        var map = CompactMap.From([new("Name", "web-1")]);
        Assert.False(map.TryGetValue("name", out _));
        Assert.Null(map.GetValueOrDefault("NAME"));
        var missing = Assert.Throws<KeyNotFoundException>(() => map["name"]);
        Assert.Contains("name", missing.Message);
    }

    [Fact]
    public void No_pairs_give_the_shared_empty_map_and_a_null_value_reads_as_empty()
    {
        Assert.Same(CompactMap.Empty, CompactMap.From([]));
        Assert.Empty(CompactMap.Empty);
        Assert.Equal("", CompactMap.From([new("k", null!)])["k"]);
    }
}
