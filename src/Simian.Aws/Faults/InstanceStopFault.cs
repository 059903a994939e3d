using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Aws.Ec2;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary>
/// <c>instance-stop</c>: stops a running on-demand instance; undo starts it again. Spot instances are refused:
/// stopping one can hand its capacity back for good. Param <c>force</c> (true|false, default false) skips the
/// guest's clean shutdown.
/// </summary>
internal sealed class InstanceStopFault(AwsSessions sessions) : InstanceFaultBase(sessions)
{
    private const string Force = "force";

    public override string Name => "instance-stop";

    public override string Summary => "stop the instance (param force: true|false); undo starts it again";

    public override bool Reversible => true;

    protected override string[] ParamKeys => [Force];

    protected override void ReadParams(MapReader reader) => reader.Boolean(Force);

    public override string Describe(YMapping parameters, TimeSpan? duration) =>
        (IsForced(parameters) ? "force-stop the instance" : "stop the instance") + "; undo starts it again";

    protected override async Task ApplyAsync(AwsSession session, FaultContext context, Captured captured, CancellationToken cancellationToken)
    {
        var id = captured.InstanceId;
        if (captured.Lifecycle == "spot") throw new ProviderException($"spot instances cannot be stopped safely; not stopping {id}");
        if (captured.State != "running") throw new ProviderException($"instance {id} is {captured.State}, not running; not stopping it");
        var request = new StopInstancesRequest { InstanceIds = [id], Force = IsForced(context.Parameters) };
        await session.CallAsync($"cannot stop instance {id}", ct => session.Ec2.StopInstancesAsync(request, ct), cancellationToken)
            .ConfigureAwait(false);
    }

    public override async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var captured = Captured.From(context.Undo, context.ResourceId);
        // Only an instance that was running can have been stopped by this fault; anything else is not ours to start.
        if (captured.State != "running" || captured.Lifecycle == "spot") return UndoOutcome.NothingToUndo;
        var session = Sessions.Get(context.Settings);
        var id = captured.InstanceId;
        while (true)
        {
            var instance = await Ec2Instances.DescribeAsync(session, id, cancellationToken, undo: true).ConfigureAwait(false)
                ?? throw new ProviderException($"instance {id} no longer exists; it cannot be started again");
            switch (Ec2Instances.State(instance))
            {
                case "running" or "pending":
                    return UndoOutcome.NothingToUndo;
                case "stopping":
                    // It must be fully stopped before EC2 accepts a start.
                    await Task.Delay(session.Options.StatePollInterval, context.Time, cancellationToken).ConfigureAwait(false);
                    continue;
                case "stopped":
                    await session.CallAsync(
                        $"cannot start instance {id} again",
                        ct => session.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }, ct),
                        cancellationToken,
                        undo: true).ConfigureAwait(false);
                    return UndoOutcome.Restored;
                case var state:
                    throw new ProviderException($"instance {id} is {state}: it was terminated while stopped and cannot be started again");
            }
        }
    }

    private static bool IsForced(YMapping parameters) =>
        new MapReader(parameters, new DiagnosticBag(), "instance-stop params", [Force]).Boolean(Force) ?? false;
}
