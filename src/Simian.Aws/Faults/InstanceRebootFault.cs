using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary>
/// <c>instance-reboot</c>: reboots a running instance. Counted as reversible because it heals itself: the
/// instance comes back running with its disks, addresses and identity, so undo has nothing to do and the guard
/// need not demand <c>irreversible: allowed</c> for it.
/// </summary>
internal sealed class InstanceRebootFault(AwsSessions sessions) : InstanceFaultBase(sessions)
{
    public override string Name => "instance-reboot";

    public override string Summary => "reboot the instance (it recovers by itself; nothing to undo)";

    public override bool Reversible => true;

    public override string Describe(YMapping parameters, TimeSpan? duration) => "reboot the instance (recovers by itself)";

    protected override bool ProtectsFromAutoScaling => true;

    protected override string Ec2Action => "RebootInstances";

    protected override string HeldAs => "rebooting";

    /// <summary>Nothing to start again; waits until it runs, then lifts its Auto Scaling group's protection.</summary>
    public override async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var captured = Captured.From(context.Undo, context.ResourceId);
        if (captured.AutoScaling is not { Suspends.Count: > 0 }) return UndoOutcome.NothingToUndo;
        return await AwaitRunningAsync(Sessions.Get(context.Settings), context, captured.InstanceId, mayStart: false, cancellationToken).ConfigureAwait(false)
            ? UndoOutcome.Restored
            : UndoOutcome.NothingToUndo;
    }

    protected override async Task ApplyAsync(AwsSession session, FaultContext context, Captured captured, CancellationToken cancellationToken)
    {
        var id = captured.InstanceId;
        if (captured.State != "running") throw new ProviderException($"instance {id} is {captured.State}, not running; not rebooting it");
        await AutoScalingProtection.ApplyAsync(session, captured.AutoScaling, id, cancellationToken).ConfigureAwait(false);
        await session.CallAsync(
            $"cannot reboot instance {id}",
            ct => session.Ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id] }, ct),
            cancellationToken).ConfigureAwait(false);
    }
}
