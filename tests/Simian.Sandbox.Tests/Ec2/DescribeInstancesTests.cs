using Amazon.EC2;
using Amazon.EC2.Model;
using Simian.Sandbox.Tests.TestSupport;
using Filter = Amazon.EC2.Model.Filter;

namespace Simian.Sandbox.Tests.Ec2;

public sealed class DescribeInstancesTests
{
    private static async Task<List<Instance>> DescribeAsync(AmazonEC2Client ec2, params Filter[] filters)
    {
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [.. filters] });
        return (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).ToList();
    }

    private static string[] Ids(IEnumerable<Instance> instances) => instances.Select(i => i.InstanceId).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Returns_every_instance_with_its_attributes()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var instances = await DescribeAsync(sandbox.Ec2());

        Assert.Equal(6, instances.Count);
        var web = instances.Single(i => i.InstanceId == "i-0000000000000web1");
        Assert.Equal("t3.micro", web.InstanceType.Value);
        Assert.Equal("running", web.State.Name.Value);
        Assert.Equal(16, web.State.Code);
        Assert.Equal("us-east-1a", web.Placement.AvailabilityZone);
        Assert.Equal("vpc-0sandbox0000000001", web.VpcId);
        Assert.Equal("subnet-us-east-1a", web.SubnetId);
        Assert.StartsWith("10.", web.PrivateIpAddress, StringComparison.Ordinal);
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), web.LaunchTime?.ToUniversalTime());
        Assert.Equal(["app=web", "chaos=opt-in"], web.Tags.Select(t => $"{t.Key}={t.Value}"));
        Assert.Null(web.InstanceLifecycle);
        Assert.Equal("spot", instances.Single(i => i.InstanceId == "i-000000000000spot1").InstanceLifecycle.Value);
    }

    /// <summary>
    /// Instances launched together share one reservation, and DescribeInstances lists them in one reservation item
    /// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Reservation.html). Checked with the .NET SDK and boto3.
    /// </summary>
    [Fact]
    public async Task Instances_of_one_reservation_are_listed_together()
    {
        var fleet = Fleet.Parse("""
            identities: [{accessKeyId: AKIASANDBOXGAMEDAY, secretAccessKey: gameday-secret, arn: "arn:aws:iam::123456789012:user/gameday"}]
            instances:
              - {id: i-0aa00000000000001, reservation: r-0batch00000000001}
              - {id: i-0aa00000000000002}
              - {id: i-0aa00000000000003, reservation: r-0batch00000000001}
            """);
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var response = await sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest());
        Assert.Equal(["r-0batch00000000001", "r-0aa00000000000002"], response.Reservations.Select(r => r.ReservationId));
        Assert.Equal(["i-0aa00000000000001", "i-0aa00000000000003"], response.Reservations[0].Instances.Select(i => i.InstanceId));

        if (Simian.Sandbox.Tests.TestSupport.Boto3.Missing() is null)
        {
            var boto = await Simian.Sandbox.Tests.TestSupport.Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
                result = [[i["InstanceId"] for i in r["Instances"]] for r in client("ec2").describe_instances()["Reservations"]]
                """);
            Assert.Equal(2, boto[0].GetArrayLength());
        }
    }

    [Fact]
    public async Task Reservations_carry_the_fleet_account_as_owner()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var response = await sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest());

        Assert.All(response.Reservations, r => Assert.Equal(TestFleets.Account, r.OwnerId));
        Assert.All(response.Reservations, r => Assert.StartsWith("r-", r.ReservationId, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tag:app", "web", "i-00000000000000off,i-0000000000000web1,i-0000000000000web2")]
    [InlineData("tag:chaos", "opt-in", "i-0000000000000web1,i-0000000000000web2,i-000000000000spot1")]
    [InlineData("tag:app", "w*", "i-00000000000000off,i-0000000000000web1,i-0000000000000web2")]
    [InlineData("tag-key", "chaos", "i-0000000000000web1,i-0000000000000web2,i-000000000000spot1")]
    [InlineData("instance-state-name", "stopped", "i-00000000000000off")]
    [InlineData("availability-zone", "us-east-1c", "i-000000000000spot1")]
    [InlineData("instance-type", "m5.large", "i-0000000000000api1")]
    [InlineData("vpc-id", "vpc-other", "i-000000000000othr1")]
    [InlineData("subnet-id", "subnet-other", "i-000000000000othr1")]
    [InlineData("instance-id", "i-0000000000000api1", "i-0000000000000api1")]
    [InlineData("instance-lifecycle", "spot", "i-000000000000spot1")]
    public async Task Filters_select_matching_instances(string name, string value, string expected)
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var instances = await DescribeAsync(sandbox.Ec2(), new Filter(name, [value]));

        Assert.Equal(expected.Split(','), Ids(instances));
    }

    [Fact]
    public async Task Values_of_one_filter_are_alternatives_and_filters_combine_with_and()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var instances = await DescribeAsync(
            sandbox.Ec2(),
            new Filter("tag:app", ["web", "api"]),
            new Filter("availability-zone", ["us-east-1a"]),
            new Filter("instance-state-name", ["running", "pending"]));

        Assert.Equal(["i-0000000000000api1", "i-0000000000000web1"], Ids(instances));
    }

    [Fact]
    public async Task Instance_ids_restrict_the_result()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var response = await sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest
        {
            InstanceIds = ["i-0000000000000web2", "i-0000000000000api1"],
        });

        Assert.Equal(["i-0000000000000api1", "i-0000000000000web2"], Ids(response.Reservations.SelectMany(r => r.Instances)));
    }

    [Fact]
    public async Task Unknown_instance_ids_are_InvalidInstanceID_NotFound()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-0000000000000web1", "i-0123456789abcdef0"] }));

        Assert.Equal("InvalidInstanceID.NotFound", error.ErrorCode);
        Assert.Contains("i-0123456789abcdef0", error.Message, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task An_unknown_filter_is_InvalidParameterValue()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => DescribeAsync(sandbox.Ec2(), new Filter("colour", ["blue"])));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1001)]
    public async Task MaxResults_outside_5_to_1000_is_refused(int maxResults)
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = maxResults }));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
    }

    [Fact]
    public async Task Pages_through_2500_instances_seeing_each_exactly_once()
    {
        var fleet = TestFleets.Standard();
        fleet.Generate.Add(new FleetInstanceGenerator { Count = 2500, Zones = { "us-east-1a", "us-east-1b" }, Asgs = 7, Tags = { ["app"] = "shop" } });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var ec2 = sandbox.Ec2();

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 1000, NextToken = token });
            seen.AddRange(page.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(2506, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task The_sdk_paginator_walks_filtered_pages()
    {
        var fleet = TestFleets.Standard();
        fleet.Generate.Add(new FleetInstanceGenerator { Count = 600, Asgs = 3, Tags = { ["app"] = "shop" }, SpotEvery = 4 });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);

        var ids = new List<string>();
        var paginator = sandbox.Ec2().Paginators.DescribeInstances(new DescribeInstancesRequest
        {
            MaxResults = 50,
            Filters = [new Filter("tag:aws:autoscaling:groupName", ["shop-asg-02"]), new Filter("instance-lifecycle", ["spot"])],
        });
        await foreach (var instance in paginator.Reservations.SelectMany(r => (r.Instances ?? []).ToAsyncEnumerable()))
        {
            ids.Add(instance.InstanceId);
        }

        // Ordinals n with n % 3 == 1 (asg-02) and (n + 1) % 4 == 0 (spot): n = 7, 19, 31, ... below 600.
        Assert.Equal(50, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Fleet.GeneratedId(0, 7), ids[0]);
    }

    [Fact]
    public async Task A_tampered_NextToken_is_refused()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = "not-a-token" }));

        Assert.Equal("InvalidPaginationToken", error.ErrorCode);
    }
}
