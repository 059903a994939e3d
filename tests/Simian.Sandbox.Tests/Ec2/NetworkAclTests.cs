using Amazon.EC2;
using Amazon.EC2.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Ec2;

/// <summary>
/// Subnets and network ACLs through the real EC2 SDK client, with AWS's rules:
/// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html (a subnet is associated with exactly one
/// network ACL; the default ACL allows all traffic and cannot be deleted; a custom ACL denies everything until rules
/// are added; rules are evaluated lowest number first, and the * rule, 32767, denies what no rule matched);
/// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceNetworkAclAssociation.html (a new association id);
/// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteNetworkAcl.html (not while associated, never the
/// default one); https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (the error codes).
/// </summary>
public sealed class NetworkAclTests
{
    private static async Task<NetworkAcl> AclOfAsync(AmazonEC2Client ec2, string subnet) =>
        Assert.Single((await ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
        {
            Filters = [new Filter("association.subnet-id", [subnet])],
        })).NetworkAcls);

    [Fact]
    public async Task The_instances_subnets_are_listed_one_per_zone_each_on_its_vpcs_default_acl()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();

        var subnets = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = [new Filter("vpc-id", ["vpc-0sandbox0000000001"])],
        })).Subnets;

        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], subnets.Select(s => s.AvailabilityZone).Order());
        Assert.All(subnets, s => Assert.Equal("available", s.State.Value));
        Assert.Equal(3, subnets.Select(s => s.CidrBlock).Distinct().Count());
        var acl = await AclOfAsync(ec2, subnets[0].SubnetId);
        Assert.True(acl.IsDefault);
        Assert.Equal(3, acl.Associations.Count);
        Assert.Equal(["allow", "deny"], acl.Entries.Where(e => e.Egress == false).OrderBy(e => e.RuleNumber).Select(e => e.RuleAction.Value));
        Assert.Equal(["vpc-0sandbox0000000001", "vpc-other"], (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs.Select(v => v.VpcId).Order());
    }

    [Fact]
    public async Task A_new_acl_denies_everything_and_moving_a_subnet_to_it_and_back_changes_its_association_id()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();
        var original = await AclOfAsync(ec2, "subnet-us-east-1a");
        var association = original.Associations.Single(a => a.SubnetId == "subnet-us-east-1a").NetworkAclAssociationId;

        var created = (await ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest
        {
            VpcId = "vpc-0sandbox0000000001",
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.NetworkAcl, Tags = [new Tag("simian:run", "r1")] }],
        })).NetworkAcl;
        Assert.False(created.IsDefault);
        Assert.Equal(["deny", "deny"], created.Entries.Select(e => e.RuleAction.Value));
        Assert.Equal([32767, 32767], created.Entries.Select(e => e.RuleNumber ?? 0));
        Assert.Equal("r1", Assert.Single(created.Tags).Value);

        var moved = await ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest
        {
            AssociationId = association,
            NetworkAclId = created.NetworkAclId,
        });
        Assert.NotEqual(association, moved.NewAssociationId);
        Assert.Equal(created.NetworkAclId, (await AclOfAsync(ec2, "subnet-us-east-1a")).NetworkAclId);
        Assert.False(sandbox.State.SubnetReachable("subnet-us-east-1a"));
        Assert.True(sandbox.State.SubnetReachable("subnet-us-east-1b"));

        // The old association id is gone with the move.
        var stale = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest
        {
            AssociationId = association,
            NetworkAclId = original.NetworkAclId,
        }));
        Assert.Equal("InvalidAssociationID.NotFound", stale.ErrorCode);

        // An ACL a subnet uses cannot be deleted; once the subnet is back on its own, it can.
        var inUse = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DeleteNetworkAclAsync(new DeleteNetworkAclRequest { NetworkAclId = created.NetworkAclId }));
        Assert.Equal("DependencyViolation", inUse.ErrorCode);
        await ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest
        {
            AssociationId = moved.NewAssociationId,
            NetworkAclId = original.NetworkAclId,
        });
        await ec2.DeleteNetworkAclAsync(new DeleteNetworkAclRequest { NetworkAclId = created.NetworkAclId });
        Assert.True(sandbox.State.SubnetReachable("subnet-us-east-1a"));
        Assert.DoesNotContain(created.NetworkAclId, sandbox.State.NetworkAcls());
    }

    [Fact]
    public async Task An_allow_rule_numbered_before_the_deny_lets_a_bastion_through_and_rules_are_refused_as_aws_refuses_them()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();
        var acl = (await ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest { VpcId = "vpc-0sandbox0000000001" })).NetworkAcl.NetworkAclId;

        await ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
        {
            NetworkAclId = acl, RuleNumber = 100, Protocol = "-1", RuleAction = RuleAction.Allow, Egress = false, CidrBlock = "10.9.0.7/32",
        });
        var twice = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
        {
            NetworkAclId = acl, RuleNumber = 100, Protocol = "-1", RuleAction = RuleAction.Deny, Egress = false, CidrBlock = "0.0.0.0/0",
        }));
        Assert.Equal("NetworkAclEntryAlreadyExists", twice.ErrorCode);
        var reserved = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
        {
            NetworkAclId = acl, RuleNumber = 32767, Protocol = "-1", RuleAction = RuleAction.Allow, Egress = false, CidrBlock = "0.0.0.0/0",
        }));
        Assert.Equal("InvalidParameterValue", reserved.ErrorCode);
        var ipv6 = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
        {
            NetworkAclId = acl, RuleNumber = 101, Protocol = "-1", RuleAction = RuleAction.Allow, Egress = false, Ipv6CidrBlock = "::/0",
        }));
        Assert.Equal("NotImplemented", ipv6.ErrorCode);

        var entries = (await ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { NetworkAclIds = [acl] })).NetworkAcls.Single().Entries;
        Assert.Equal([(100, "allow", "10.9.0.7/32"), (32767, "deny", "0.0.0.0/0")],
            entries.Where(e => e.Egress == false).OrderBy(e => e.RuleNumber).Select(e => (e.RuleNumber ?? 0, e.RuleAction.Value, e.CidrBlock)));
        await ec2.DeleteNetworkAclEntryAsync(new DeleteNetworkAclEntryRequest { NetworkAclId = acl, RuleNumber = 100, Egress = false });
        var gone = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            ec2.DeleteNetworkAclEntryAsync(new DeleteNetworkAclEntryRequest { NetworkAclId = acl, RuleNumber = 100, Egress = false }));
        Assert.Equal("InvalidNetworkAclEntry.NotFound", gone.ErrorCode);
    }

    [Fact]
    public async Task The_default_acl_cannot_be_deleted_and_unknown_ids_and_vpcs_are_refused()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();
        var defaultAcl = (await AclOfAsync(ec2, "subnet-us-east-1a")).NetworkAclId;

        var notDefault = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DeleteNetworkAclAsync(new DeleteNetworkAclRequest { NetworkAclId = defaultAcl }));
        Assert.Equal("InvalidParameterValue", notDefault.ErrorCode);
        var unknown = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DeleteNetworkAclAsync(new DeleteNetworkAclRequest { NetworkAclId = "acl-0123456789abcdef0" }));
        Assert.Equal("InvalidNetworkAclID.NotFound", unknown.ErrorCode);
        var noVpc = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest { VpcId = "vpc-0123456789abcdef0" }));
        Assert.Equal("InvalidVpcID.NotFound", noVpc.ErrorCode);
        var noSubnet = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = ["subnet-0123456789abcdef0"] }));
        Assert.Equal("InvalidSubnetID.NotFound", noSubnet.ErrorCode);
        var otherVpc = (await ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest { VpcId = "vpc-other" })).NetworkAcl.NetworkAclId;
        var association = (await AclOfAsync(ec2, "subnet-us-east-1a")).Associations.Single(a => a.SubnetId == "subnet-us-east-1a").NetworkAclAssociationId;
        var crossVpc = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest
        {
            AssociationId = association,
            NetworkAclId = otherVpc,
        }));
        Assert.Equal("InvalidParameterValue", crossVpc.ErrorCode);
        var badFilter = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("no-such-filter", ["x"])] }));
        Assert.Equal("InvalidParameterValue", badFilter.ErrorCode);
    }

    [Fact]
    public async Task A_fleet_can_tag_its_subnets_and_describe_pages_through_them()
    {
        var fleet = Fleet.Parse("""
            instances:
              - {id: i-0abc0000000000001, zone: us-east-1a}
            subnets:
              - {id: subnet-0aaa000000000001a, zone: us-east-1a, cidr: 10.0.10.0/24, tags: {chaos: opt-in}}
              - {id: subnet-0aaa000000000001b, zone: us-east-1b, tags: {chaos: opt-in}}
              - {id: subnet-0aaa000000000001c, zone: us-east-1c}
              - {id: subnet-0aaa000000000002a, zone: us-east-1a}
              - {id: subnet-0aaa000000000002b, zone: us-east-1b}
              - {id: subnet-0aaa000000000002c, zone: us-east-1c}
            """);
        fleet.Identities.AddRange(TestFleets.Standard().Identities);
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var ec2 = sandbox.Ec2();

        var optedIn = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("tag:chaos", ["opt-in"])] })).Subnets;
        Assert.Equal(["subnet-0aaa000000000001a", "subnet-0aaa000000000001b"], optedIn.Select(s => s.SubnetId));
        Assert.Equal("10.0.10.0/24", optedIn[0].CidrBlock);

        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { MaxResults = 5, NextToken = token });
            Assert.True(page.Subnets.Count <= 5);
            ids.AddRange(page.Subnets.Select(s => s.SubnetId));
            token = page.NextToken;
        }
        while (token is not null);
        // The six listed and subnet-us-east-1a, which the instance names without it being listed.
        Assert.Equal(7, ids.Distinct().Count());
    }
}
