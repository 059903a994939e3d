using Amazon.EC2.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests;

/// <summary>
/// The fleet's site: what probes watch in an offline zone outage. GET /SERVICE answers 200 while at least minHealthy
/// of the service's instances are running and their subnet's network ACL lets traffic through
/// (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html: a subnet on a deny-all ACL is cut off).
/// </summary>
public sealed class SiteTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    // The sample fleet's own identity.
    private static Amazon.EC2.AmazonEC2Client Ec2(SandboxHarness sandbox) => sandbox.Ec2("AKIASIMIANGAMEDAY", "sandbox-game-day-secret");

    private static async Task<(int Status, string Body)> GetAsync(SandboxHarness sandbox, string path)
    {
        using var response = await Http.GetAsync(new Uri(sandbox.Server.SiteEndpoint!, path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task CutAsync(SandboxHarness sandbox, string subnet)
    {
        var ec2 = Ec2(sandbox);
        var acl = (await ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest { VpcId = "vpc-0sandbox0000000001" })).NetworkAcl.NetworkAclId;
        var current = (await ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = [new Filter("association.subnet-id", [subnet])] })).NetworkAcls.Single();
        var association = current.Associations.Single(a => a.SubnetId == subnet).NetworkAclAssociationId;
        await ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest { AssociationId = association, NetworkAclId = acl });
    }

    [Fact]
    public async Task The_web_service_carries_one_lost_zone_but_not_two()
    {
        await using var sandbox = await SandboxHarness.StartAsync(TestFleets.Sample());

        Assert.Equal((200, "web: 12 healthy, 6 needed\n"), await GetAsync(sandbox, "web"));

        await CutAsync(sandbox, "subnet-us-east-1a");
        Assert.Equal((200, "web: 8 healthy, 6 needed\n"), await GetAsync(sandbox, "web"));

        await CutAsync(sandbox, "subnet-us-east-1b");
        Assert.Equal((503, "web: 4 healthy, 6 needed\n"), await GetAsync(sandbox, "web"));
    }

    [Fact]
    public async Task Stopped_instances_are_not_healthy_and_unknown_services_are_not_found()
    {
        await using var sandbox = await SandboxHarness.StartAsync(TestFleets.Sample());
        var web = sandbox.State.Instances().Where(i => i.Tags.GetValueOrDefault("app") == "web").Select(i => i.Id).Take(7).ToList();

        await Ec2(sandbox).StopInstancesAsync(new StopInstancesRequest { InstanceIds = web });

        Assert.Equal((503, "web: 5 healthy, 6 needed\n"), await GetAsync(sandbox, "web"));
        var (status, body) = await GetAsync(sandbox, "checkout");
        Assert.Equal(404, status);
        Assert.Contains("the site serves: web, api", body);
    }
}
