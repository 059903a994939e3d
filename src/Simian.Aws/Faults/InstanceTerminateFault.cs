using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary><c>instance-terminate</c>: terminates the instance. Cannot be undone; the guard asks for <c>irreversible: allowed</c>.</summary>
internal sealed class InstanceTerminateFault(AwsSessions sessions) : InstanceFaultBase(sessions)
{
    public override string Name => "instance-terminate";

    public override string Summary => "terminate the instance (irreversible)";

    public override bool Reversible => false;

    protected override string Ec2Action => "TerminateInstances";

    public override string Describe(YMapping parameters, TimeSpan? duration) => "terminate the instance (irreversible)";

    protected override async Task ApplyAsync(AwsSession session, FaultContext context, Captured captured, CancellationToken cancellationToken)
    {
        var id = captured.InstanceId;
        if (captured.State is "terminated" or "shutting-down") return;
        await session.CallAsync(
            $"cannot terminate instance {id}",
            ct => session.Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] }, ct),
            cancellationToken).ConfigureAwait(false);
    }
}
