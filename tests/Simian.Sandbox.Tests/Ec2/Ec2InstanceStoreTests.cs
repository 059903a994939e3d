using System.Diagnostics;
using Simian.Sandbox.Ec2;

namespace Simian.Sandbox.Tests.Ec2;

public sealed class Ec2InstanceStoreTests
{
    private static Ec2InstanceStore Store(int count)
    {
        var fleet = new Fleet();
        fleet.Generate.Add(new FleetInstanceGenerator { Count = count, Asgs = 4, Tags = { ["chaos"] = "opt-in" } });
        return new Ec2InstanceStore(fleet, TimeProvider.System, TimeSpan.Zero);
    }

    [Fact]
    public void A_page_resumes_at_the_position_after_the_last_instance_returned()
    {
        var store = Store(10);

        var first = store.Describe(null, _ => true, max: 4, start: 0);
        var second = store.Describe(null, _ => true, max: 4, start: first.NextIndex!.Value);
        var last = store.Describe(null, _ => true, max: 4, start: second.NextIndex!.Value);

        Assert.Equal(4, first.NextIndex);
        Assert.Equal(Fleet.GeneratedId(0, 4), second.Instances[0].Id);
        Assert.Equal(2, last.Instances.Count);
        Assert.Null(last.NextIndex);
    }

    [Fact]
    public void A_filtered_page_ends_where_the_next_match_is()
    {
        var store = Store(20);

        var page = store.Describe(null, i => i.Tag("aws:autoscaling:groupName") == "gen1-asg-01", max: 2, start: 0);

        Assert.Equal([Fleet.GeneratedId(0, 0), Fleet.GeneratedId(0, 4)], page.Instances.Select(i => i.Id));
        Assert.Equal(8, page.NextIndex);
    }

    [Fact]
    public void Deep_pages_of_a_100000_instance_fleet_cost_about_what_the_first_page_costs()
    {
        var store = Store(100_000);
        store.Describe(null, _ => true, max: 1000, start: 0);

        var clock = Stopwatch.StartNew();
        for (var page = 0; page < 100; page++)
        {
            Assert.Equal(1000, store.Describe(null, i => i.Tag("chaos") == "opt-in", max: 1000, start: 98_000).Instances.Count);
        }

        // About 1 ms a page here; re-sorting or rescanning the fleet per page would cost tens of milliseconds.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"100 deep pages took {clock.Elapsed}");
    }
}
