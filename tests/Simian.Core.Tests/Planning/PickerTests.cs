using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Planning;

public sealed class PickerTests
{
    private static readonly Resource[] Hundred = ThingWorld.Many(100);

    private static IReadOnlyList<string> Ids(IEnumerable<Resource> resources) => resources.Select(r => r.Id).ToList();

    [Fact]
    public void Same_seed_picks_the_same_resources()
    {
        var pick = new PickSpec(10, null, null);

        var first = Picker.Pick(Hundred, pick, 42, "web").Selected;
        var second = Picker.Pick(Hundred, pick, 42, "web").Selected;

        Assert.Equal(10, first.Count);
        Assert.Equal(Ids(first), Ids(second));
    }

    [Fact]
    public void Pick_does_not_depend_on_the_order_the_provider_listed_resources()
    {
        var pick = new PickSpec(null, 20, null);
        var reversed = Hundred.Reverse().ToArray();
        var shuffled = Hundred.ToArray();
        new Random(7).Shuffle(shuffled);

        var a = Picker.Pick(Hundred, pick, 1234, "web");
        var b = Picker.Pick(reversed, pick, 1234, "web");
        var c = Picker.Pick(shuffled, pick, 1234, "web");

        Assert.Equal(Ids(a.Selected), Ids(b.Selected));
        Assert.Equal(Ids(a.Selected), Ids(c.Selected));
        Assert.Equal(a.NotPicked, c.NotPicked);
    }

    [Fact]
    public void Different_seeds_pick_differently()
    {
        var pick = new PickSpec(10, null, null);

        var selections = Enumerable.Range(0, 20)
            .Select(seed => string.Join(",", Ids(Picker.Pick(Hundred, pick, seed, "web").Selected)))
            .ToHashSet();

        // C(100,10) is about 1.7e13: twenty seeds landing on fewer than twenty sets means the seed is ignored.
        Assert.Equal(20, selections.Count);
    }

    [Fact]
    public void Different_targets_with_the_same_seed_pick_independently()
    {
        var pick = new PickSpec(10, null, null);

        var a = Picker.Pick(Hundred, pick, 5, "web");
        var b = Picker.Pick(Hundred, pick, 5, "api");

        Assert.NotEqual(Ids(a.Selected), Ids(b.Selected));
    }

    [Fact]
    public void Every_candidate_is_either_selected_or_not_picked_with_a_reason()
    {
        var (selected, notPicked) = Picker.Pick(Hundred, new PickSpec(7, null, null), 9, "web");

        Assert.Equal(7, selected.Count);
        Assert.Equal(93, notPicked.Count);
        Assert.Equal(Ids(Hundred).Order(StringComparer.Ordinal), Ids(selected).Concat(notPicked.Select(e => e.Id)).Order(StringComparer.Ordinal));
        Assert.All(notPicked, e => Assert.Equal("not picked (count 7)", e.Reason));
        Assert.Equal(Ids(selected).Order(StringComparer.Ordinal), Ids(selected));
    }

    [Fact]
    public void All_selects_everything_in_id_order()
    {
        var (selected, notPicked) = Picker.Pick(Hundred.Reverse().ToArray(), PickSpec.All, 1, "web");

        Assert.Equal(Ids(Hundred).Order(StringComparer.Ordinal), Ids(selected));
        Assert.Empty(notPicked);
    }

    [Theory]
    [InlineData(10, 25.0, 2)]   // 2.5 rounds down
    [InlineData(3, 10.0, 1)]    // 0.3 rounds down to 0, but a pick takes at least one
    [InlineData(3, 33.3333, 1)]
    [InlineData(3, 66.6667, 2)]
    [InlineData(100, 29.0, 29)]
    [InlineData(100, 0.0001, 1)]
    [InlineData(7, 100.0, 7)]
    [InlineData(5, 50.0, 2)]
    [InlineData(0, 50.0, 0)]
    public void Percent_rounds_down_but_takes_at_least_one(int n, double percent, int expected)
    {
        Assert.Equal(expected, Picker.HowMany(n, new PickSpec(null, percent, null)));
    }

    [Theory]
    [InlineData(10, 3, 3)]
    [InlineData(2, 5, 2)]
    [InlineData(0, 1, 0)]
    public void Count_takes_that_many_or_all_there_are(int n, int count, int expected)
    {
        Assert.Equal(expected, Picker.HowMany(n, new PickSpec(count, null, null)));
    }

    [Fact]
    public void Per_takes_from_each_group()
    {
        var resources = new[]
        {
            ThingWorld.R("a1", zone: "a"), ThingWorld.R("a2", zone: "a"), ThingWorld.R("a3", zone: "a"),
            ThingWorld.R("a4", zone: "a"), ThingWorld.R("a5", zone: "a"),
            ThingWorld.R("b1", zone: "b"), ThingWorld.R("b2", zone: "b"), ThingWorld.R("b3", zone: "b"),
            ThingWorld.R("c1", zone: "c"),
            ThingWorld.R("nowhere"),
        };

        var (selected, notPicked) = Picker.Pick(resources, new PickSpec(2, null, "zone"), 3, "web");

        var byZone = selected.GroupBy(r => r.Zone!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["c"] = 1 }, byZone);
        Assert.Contains(new Exclusion("nowhere", "has no zone to group by"), notPicked);
        Assert.Equal(resources.Length, selected.Count + notPicked.Count);
    }

    [Fact]
    public void Per_percent_applies_to_each_group_separately()
    {
        var resources = Enumerable.Range(1, 10).Select(i => ThingWorld.R($"x{i}", tags: ("team", "x")))
            .Concat(Enumerable.Range(1, 4).Select(i => ThingWorld.R($"y{i}", tags: ("team", "y"))))
            .ToArray();

        var (selected, _) = Picker.Pick(resources, new PickSpec(null, 50, "tag:team"), 11, "web");

        Assert.Equal(5, selected.Count(r => r.Id.StartsWith('x')));
        Assert.Equal(2, selected.Count(r => r.Id.StartsWith('y')));
    }

    [Fact]
    public void Per_with_all_takes_every_grouped_resource()
    {
        var resources = new[] { ThingWorld.R("r1", region: "eu"), ThingWorld.R("r2", region: "us"), ThingWorld.R("r3") };

        var (selected, notPicked) = Picker.Pick(resources, new PickSpec(null, null, "region"), 1, "web");

        Assert.Equal(["r1", "r2"], Ids(selected));
        Assert.Equal("r3", Assert.Single(notPicked).Id);
    }

    [Theory]
    [InlineData("zone", "z1")]
    [InlineData("region", "eu-1")]
    [InlineData("tag:team", "blue")]
    [InlineData("home", "/things/g")]
    [InlineData("tag:missing", null)]
    public void Group_key_reads_zone_region_tags_and_attributes(string per, string? expected)
    {
        var r = ThingWorld.R("g", region: "eu-1", zone: "z1", tags: ("team", "blue"));

        Assert.Equal(expected, Picker.GroupKey(r, per));
    }
}
