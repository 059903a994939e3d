using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;

namespace Simian.Aws.Tests.Faults;

/// <summary>
/// aws:ec2:subnet and network-blackhole through the real SDK against the sandbox, whose network ACLs follow
/// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html.
/// </summary>
public sealed class NetworkBlackholeFaultTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_zones_subnet_is_found_with_the_instances_inside_it()
    {
        await using var sandbox = await AwsSandbox.StartAsync();

        var subnet = Assert.Single(await sandbox.ResolveAsync("aws:ec2:subnet", "zones: [us-east-1b]\nvpcIds: [vpc-0sandbox0000000001]"));

        Assert.Equal("subnet-us-east-1b", subnet.Id);
        Assert.Equal("us-east-1b", subnet.Zone);
        Assert.Equal("123456789012", subnet.Account);
        // The live instances in it, stopped ones too: the blast radius the plan shows.
        Assert.Equal("i-00000000000000off,i-0000000000000web2", subnet.Attribute("instances"));
        Assert.StartsWith("us-east-1b 10.0.", subnet.Label);
        Assert.EndsWith("2 instances: i-00000000000000off, i-0000000000000web2", subnet.Label);
    }

    [Fact(Timeout = 30_000)]
    public async Task Blackhole_moves_the_subnet_onto_a_deny_all_acl_and_undo_puts_it_back_and_deletes_the_acl()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault("aws:ec2:subnet", "network-blackhole");
        var subnet = Assert.Single(await sandbox.ResolveAsync("aws:ec2:subnet", "ids: [subnet-us-east-1a]"));
        var original = sandbox.State.SubnetAcls()["subnet-us-east-1a"];
        var acls = sandbox.State.NetworkAcls();
        var ctx = sandbox.Context(subnet, "{allow: [10.0.0.7/32]}");

        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        Assert.Equal(original, (string?)undo["originalAcl"]);
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());

        var blackhole = sandbox.State.SubnetAcls()["subnet-us-east-1a"];
        Assert.NotEqual(original, blackhole);
        Assert.False(sandbox.State.SubnetReachable("subnet-us-east-1a"));
        Assert.True(sandbox.State.SubnetReachable("subnet-us-east-1b"));
        // Capture refuses a subnet already on a simian ACL rather than journaling that ACL as the original.
        var again = await Assert.ThrowsAsync<ProviderException>(() => fault.CaptureAsync(sandbox.Context(subnet, runId: "run2"), AwsSandbox.Timeout()));
        Assert.Contains("made by simian run run1", again.Message);

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(original, sandbox.State.SubnetAcls()["subnet-us-east-1a"]);
        Assert.Equal(acls, sandbox.State.NetworkAcls());
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Undo_after_a_crash_between_create_and_move_deletes_the_leftover_acl_by_its_tags()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var fault = sandbox.Fault("aws:ec2:subnet", "network-blackhole");
        var subnet = Assert.Single(await sandbox.ResolveAsync("aws:ec2:subnet", "ids: [subnet-us-east-1a]"));
        var ctx = sandbox.Context(subnet);
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        var acls = sandbox.State.NetworkAcls();
        // What a run killed right after CreateNetworkAcl leaves: a tagged ACL nobody uses, the subnet untouched.
        using var ec2 = new Amazon.EC2.AmazonEC2Client(
            new Amazon.Runtime.BasicAWSCredentials(sandbox.Env["AWS_ACCESS_KEY_ID"], sandbox.Env["AWS_SECRET_ACCESS_KEY"]),
            new Amazon.EC2.AmazonEC2Config { ServiceURL = sandbox.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        await ec2.CreateNetworkAclAsync(new Amazon.EC2.Model.CreateNetworkAclRequest
        {
            VpcId = "vpc-0sandbox0000000001",
            TagSpecifications =
            [
                new Amazon.EC2.Model.TagSpecification
                {
                    ResourceType = Amazon.EC2.ResourceType.NetworkAcl,
                    Tags = [new("simian:run", "run1"), new("simian:subnet", "subnet-us-east-1a")],
                },
            ],
        });
        Assert.Equal(acls.Count + 1, sandbox.State.NetworkAcls().Count);

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));

        Assert.Equal(acls, sandbox.State.NetworkAcls());
        Assert.True(sandbox.State.SubnetReachable("subnet-us-east-1a"));
    }

    [Fact]
    public void Allow_takes_ipv4_cidr_blocks_only_with_located_errors()
    {
        var provider = new AwsProvider(TimeProvider.System, _ => null);
        var fault = provider.TargetTypes.Single(t => t.Name == "aws:ec2:subnet").Faults.Single(f => f.Name == "network-blackhole");
        var diagnostics = new DiagnosticBag();

        fault.ValidateParams(Yaml.Map("allow: [10.0.0.7/32, 10.0.0.0/33, '::/0', bastion]"), diagnostics);

        Assert.Equal(["'10.0.0.0/33' is not an IPv4 CIDR block (like 10.0.0.7/32)", "'::/0' is not an IPv4 CIDR block (like 10.0.0.7/32)",
            "'bastion' is not an IPv4 CIDR block (like 10.0.0.7/32)"], diagnostics.Items.Select(d => d.Message));
        Assert.All(diagnostics.Items, d => Assert.Equal(1, d.Location.Line));
    }
}
