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

    protected override bool ProtectsFromAutoScaling => true;

    protected override string Ec2Action => "StopInstances";

    protected override string? UndoEc2Action => "StartInstances";

    protected override string HeldAs => "stopped";

    /// <summary>The step's params: whether to force the stop (no clean OS shutdown).</summary>
    public sealed record Parameters(bool Force);

    protected override object ReadParams(MapReader reader) => Read(reader);

    private static Parameters Read(MapReader reader) => new(reader.Boolean(Force) ?? false);

    private static Parameters Params(YMapping parameters) => FaultParameters.Get(parameters, "instance-stop params", [Force], Read);

    public override string Describe(YMapping parameters, TimeSpan? duration) =>
        (Params(parameters).Force ? "force-stop the instance" : "stop the instance") + "; undo starts it again and waits until it is running";

    protected override async Task ApplyAsync(AwsSession session, FaultContext context, Captured captured, CancellationToken cancellationToken)
    {
        var id = captured.InstanceId;
        if (captured.Lifecycle == "spot") throw new ProviderException($"spot instances cannot be stopped safely; not stopping {id}");
        if (captured.State != "running") throw new ProviderException($"instance {id} is {captured.State}, not running; not stopping it");
        // The group's protection first: if it cannot be applied, nothing is stopped.
        await AutoScalingProtection.ApplyAsync(session, captured.AutoScaling, id, cancellationToken).ConfigureAwait(false);
        var request = new StopInstancesRequest { InstanceIds = [id], Force = Params(context.Parameters).Force };
        await session.CallAsync($"cannot stop instance {id}", ct => session.Ec2.StopInstancesAsync(request, ct), cancellationToken)
            .ConfigureAwait(false);
    }

    public override async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var captured = Captured.From(context.Undo, context.ResourceId);
        // Only an instance that was running can have been stopped by this fault; anything else is not ours to start.
        if (captured.State != "running" || captured.Lifecycle == "spot") return UndoOutcome.NothingToUndo;
        var session = Sessions.Get(context.Settings);
        // A stopping instance is waited for (EC2 starts only a stopped one); a started one is waited for until it
        // runs, so "restored" means running — and only then is its Auto Scaling group's protection lifted.
        return await AwaitRunningAsync(session, context, captured.InstanceId, mayStart: true, cancellationToken).ConfigureAwait(false)
            ? UndoOutcome.Restored
            : UndoOutcome.NothingToUndo;
    }
}
