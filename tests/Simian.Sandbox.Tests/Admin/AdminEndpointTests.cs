using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Admin;

public sealed class AdminEndpointTests
{
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site-assets/*"}]}""";

    [Fact]
    public async Task State_dumps_instance_states_bucket_policies_and_call_counts()
    {
        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Policy = Policy, Objects = { ["index.html"] = "x" } });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        await sandbox.Ec2().StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0000000000000web1"] });
        using var http = new HttpClient();

        using var json = JsonDocument.Parse(await http.GetStringAsync(sandbox.Endpoint + "/_sandbox/state"));
        var root = json.RootElement;

        var web1 = root.GetProperty("instances").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "i-0000000000000web1");
        Assert.Equal("stopped", web1.GetProperty("state").GetString());
        Assert.Equal("web", web1.GetProperty("tags").GetProperty("app").GetString());
        var bucket = root.GetProperty("buckets").EnumerateArray().Single();
        Assert.Equal(Policy, bucket.GetProperty("policy").GetString());
        Assert.Equal(1, root.GetProperty("calls").GetProperty("ec2:StopInstances").GetInt64());
    }

    [Fact]
    public async Task Posting_faults_steers_a_running_sandbox()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = new HttpClient();
        var sts = sandbox.Sts();

        var set = await http.PostAsync(sandbox.Endpoint + "/_sandbox/faults",
            new StringContent("""{"throttleRate": 1, "errorRate": 0}""", Encoding.UTF8, "application/json"));
        var throttled = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        await http.PostAsync(sandbox.Endpoint + "/_sandbox/faults", new StringContent("""{"throttleRate": 0}"""));
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("Throttling", throttled.ErrorCode);
        Assert.Equal(TestFleets.GameDayArn, identity.Arn);
        Assert.Equal(new SandboxFaults(0, 0), sandbox.State.Faults);
    }

    [Theory]
    [InlineData("""{"throttleRate": 2}""")]
    [InlineData("""{"errorRate": -0.1}""")]
    [InlineData("""{"throttleRate": "lots"}""")]
    [InlineData("not json")]
    public async Task Invalid_fault_settings_are_refused_and_change_nothing(string body)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = new HttpClient();

        var response = await http.PostAsync(sandbox.Endpoint + "/_sandbox/faults", new StringContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(new SandboxFaults(0, 0), sandbox.State.Faults);
    }

    [Fact]
    public async Task Admin_calls_are_never_faulted()
    {
        await using var sandbox = await SandboxHarness.StartAsync(configure: o => new SandboxOptions { Fleet = o.Fleet, ErrorRate = 1 });
        using var http = new HttpClient();

        var response = await http.GetAsync(sandbox.Endpoint + "/_sandbox/state");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_admin_paths_are_404_and_list_the_known_ones()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = new HttpClient();

        var response = await http.GetAsync(sandbox.Endpoint + "/_sandbox/reset");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/_sandbox/state", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
