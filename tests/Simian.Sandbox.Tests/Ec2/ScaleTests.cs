using System.Diagnostics;
using Amazon.EC2.Model;
using Simian.Sandbox.Tests.TestSupport;
using Filter = Amazon.EC2.Model.Filter;

namespace Simian.Sandbox.Tests.Ec2;

public sealed class ScaleTests
{
    [Fact]
    public async Task Pages_through_100000_instances_quickly()
    {
        var fleet = new Fleet();
        fleet.Identities.AddRange(TestFleets.Standard().Identities);
        fleet.Generate.Add(new FleetInstanceGenerator
        {
            Count = 100_000,
            Zones = { "us-east-1a", "us-east-1b", "us-east-1c" },
            Asgs = 20,
            Tags = { ["app"] = "web", ["chaos"] = "opt-in" },
        });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var ec2 = sandbox.Ec2();
        var clock = Stopwatch.StartNew();

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        string? token = null;
        do
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                MaxResults = 1000,
                NextToken = token,
                Filters = [new Filter("tag:chaos", ["opt-in"])],
            });
            foreach (var instance in page.Reservations.SelectMany(r => r.Instances))
            {
                Assert.True(seen.Add(instance.InstanceId));
            }

            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(100_000, seen.Count);
        Assert.Equal(100, pages);
        // Generous: the SDK's unmarshalling of ~110 MB of XML dominates, and CI machines may be busy.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"paging took {clock.Elapsed}");
    }

    [Fact]
    public async Task Serves_concurrent_clients()
    {
        var fleet = TestFleets.Standard();
        fleet.Generate.Add(new FleetInstanceGenerator { Count = 2000 });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var ec2 = sandbox.Ec2();
        var sts = sandbox.Sts();

        var calls = Enumerable.Range(0, 40).Select(async i =>
        {
            if (i % 2 == 0)
            {
                var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 500 });
                return page.Reservations.Sum(r => r.Instances.Count);
            }

            await sts.GetCallerIdentityAsync(new Amazon.SecurityToken.Model.GetCallerIdentityRequest());
            return 500;
        });

        Assert.All(await Task.WhenAll(calls), n => Assert.Equal(500, n));
        Assert.Equal(20, sandbox.State.CallCounts()["ec2:DescribeInstances"]);
    }
}
