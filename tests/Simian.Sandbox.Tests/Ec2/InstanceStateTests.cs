using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Time.Testing;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Ec2;

public sealed class InstanceStateTests
{
    private static async Task<string> StateOfAsync(AmazonEC2Client ec2, string id)
    {
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] });
        return response.Reservations.Single().Instances.Single().State.Name.Value;
    }

    [Fact]
    public async Task Stop_reports_stopping_and_the_instance_then_settles_stopped()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();

        var response = await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0000000000000web1"] });

        var change = Assert.Single(response.StoppingInstances);
        Assert.Equal("i-0000000000000web1", change.InstanceId);
        Assert.Equal("running", change.PreviousState.Name.Value);
        Assert.Equal("stopping", change.CurrentState.Name.Value);
        Assert.Equal(64, change.CurrentState.Code);
        Assert.Equal("stopped", await StateOfAsync(ec2, "i-0000000000000web1"));
    }

    [Fact]
    public async Task Transitions_last_the_configured_delay_on_the_injected_clock()
    {
        // Starts at the real time: requests are signed with the wall clock, and AWS refuses them 15 minutes off.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await SandboxHarness.StartAsync(configure: o => new SandboxOptions
        {
            Fleet = o.Fleet,
            TimeProvider = clock,
            TransitionDelay = TimeSpan.FromSeconds(30),
        });
        var ec2 = sandbox.Ec2();

        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0000000000000web1"] });
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("stopping", await StateOfAsync(ec2, "i-0000000000000web1"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("stopped", await StateOfAsync(ec2, "i-0000000000000web1"));

        var start = await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ["i-0000000000000web1"] });
        Assert.Equal("pending", start.StartingInstances.Single().CurrentState.Name.Value);
        Assert.Equal("pending", await StateOfAsync(ec2, "i-0000000000000web1"));
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("running", await StateOfAsync(ec2, "i-0000000000000web1"));
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromSeconds(30), sandbox.State.Instance("i-0000000000000web1")!.LaunchTime);
    }

    [Fact]
    public async Task Start_takes_a_stopped_instance_through_pending_to_running()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();

        var response = await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ["i-00000000000000off"] });

        var change = Assert.Single(response.StartingInstances);
        Assert.Equal("stopped", change.PreviousState.Name.Value);
        Assert.Equal("pending", change.CurrentState.Name.Value);
        Assert.Equal("running", await StateOfAsync(ec2, "i-00000000000000off"));
    }

    [Fact]
    public async Task Terminate_goes_through_shutting_down_to_terminated_and_cannot_be_undone()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();

        var response = await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["i-0000000000000web2"] });

        Assert.Equal("shutting-down", response.TerminatingInstances.Single().CurrentState.Name.Value);
        Assert.Equal("terminated", await StateOfAsync(ec2, "i-0000000000000web2"));
        Assert.Equal("terminated", sandbox.State.InstanceState("i-0000000000000web2"));
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ["i-0000000000000web2"] }));
        Assert.Equal("IncorrectInstanceState", error.ErrorCode);
    }

    [Fact]
    public async Task Terminating_twice_reports_terminated_both_times()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["i-0000000000000web2"] });

        var again = await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["i-0000000000000web2"] });

        Assert.Equal("terminated", again.TerminatingInstances.Single().PreviousState.Name.Value);
        Assert.Equal("terminated", again.TerminatingInstances.Single().CurrentState.Name.Value);
    }

    [Fact]
    public async Task Stopping_a_spot_instance_is_UnsupportedOperation_and_changes_nothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var ec2 = sandbox.Ec2();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0000000000000web1", "i-000000000000spot1"] }));

        Assert.Equal("UnsupportedOperation", error.ErrorCode);
        Assert.Contains("Spot Instance 'i-000000000000spot1'", error.Message, StringComparison.Ordinal);
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
        Assert.Equal("running", sandbox.State.InstanceState("i-000000000000spot1"));
    }

    [Fact]
    public async Task Terminating_a_spot_instance_is_allowed()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        await sandbox.Ec2().TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["i-000000000000spot1"] });

        Assert.Equal("terminated", sandbox.State.InstanceState("i-000000000000spot1"));
    }

    [Fact]
    public async Task Reboot_keeps_the_instance_running_and_is_counted()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        await sandbox.Ec2().RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = ["i-0000000000000api1"] });

        var instance = sandbox.State.Instance("i-0000000000000api1")!;
        Assert.Equal("running", instance.State);
        Assert.Equal(1, instance.RebootCount);
    }

    [Fact]
    public async Task Rebooting_a_stopped_instance_is_IncorrectInstanceState()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = ["i-00000000000000off"] }));

        Assert.Equal("IncorrectInstanceState", error.ErrorCode);
    }

    [Fact]
    public async Task Stopping_an_unknown_instance_is_NotFound()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0feedfacefeedface"] }));

        Assert.Equal("InvalidInstanceID.NotFound", error.ErrorCode);
    }

    /// <summary>
    /// Malformed (not i- and 8 or 17 hex digits) and unknown ids are told apart as EC2 tells them apart
    /// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
    /// </summary>
    [Theory]
    [InlineData("web-1", "InvalidInstanceID.Malformed")]
    [InlineData("i-123", "InvalidInstanceID.Malformed")]
    [InlineData("i-0FEEDFACEFEEDFACE", "InvalidInstanceID.Malformed")]
    [InlineData("i-0feedfacefeedfac", "InvalidInstanceID.Malformed")]
    [InlineData("i-0feedfacefeedface", "InvalidInstanceID.NotFound")]
    [InlineData("i-feedface", "InvalidInstanceID.NotFound")]
    public async Task Malformed_and_unknown_instance_ids_are_told_apart(string id, string code)
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var terminate = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] }));
        var describe = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] }));

        Assert.Equal(code, terminate.ErrorCode);
        Assert.Equal(code, describe.ErrorCode);
    }

    [Fact]
    public async Task DryRun_checks_the_request_without_changing_anything()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sandbox.Ec2().StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0000000000000web1"], DryRun = true }));

        Assert.Equal("DryRunOperation", error.ErrorCode);
        Assert.Equal("running", sandbox.State.InstanceState("i-0000000000000web1"));
    }

    [Fact]
    public async Task An_unknown_action_is_InvalidAction()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sandbox.Ec2().DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));

        Assert.Equal("InvalidAction", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }
}
