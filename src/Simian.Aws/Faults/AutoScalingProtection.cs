using Amazon.Runtime;
using Simian.Aws.Clients;
using Simian.Aws.Resilience;
using Simian.Core;
using Simian.Core.Providers;

namespace Simian.Aws.Faults;

/// <summary>
/// Keeps Auto Scaling from replacing an instance a fault stops or reboots. On AWS an InService instance that is
/// not running fails its EC2 health check and is terminated and replaced — the undo then finds nothing to start.
/// So, for the fault's duration, the instance's group has its <c>HealthCheck</c> and <c>ReplaceUnhealthy</c>
/// processes suspended (AWS's own advice for rebooting group members:
/// https://docs.aws.amazon.com/autoscaling/ec2/userguide/suspend-resume-considerations.html), and afterwards
/// exactly those that were not already suspended are resumed.
///
/// Why suspend rather than Standby: Standby takes the instance out of its load balancer first, so the game day
/// would rehearse a graceful drain instead of a failure; it also needs the group's sizes to allow it and may launch
/// a replacement. The price of suspending: while the fault lasts, the group's other instances are not
/// health-checked either — the plan says so.
///
/// The undo record (journaled before anything changes) holds the group and the processes simian suspends; the
/// instance's own undo resumes them only after the instance is running again, by rollback or by <c>recover</c>.
/// </summary>
internal static class AutoScalingProtection
{
    public static readonly IReadOnlyList<string> Processes = ["HealthCheck", "ReplaceUnhealthy"];

    /// <summary>
    /// The instance's group and what simian would suspend there, or null when it is in none. Fails (so nothing is
    /// changed) when Auto Scaling cannot be asked: not knowing is no reason to risk the instance.
    /// </summary>
    public static async Task<AutoScalingUndo?> CaptureAsync(AwsSession session, string instanceId, CancellationToken cancellationToken)
    {
        var why = $"cannot tell whether {instanceId} is in an Auto Scaling group (autoscaling:DescribeAutoScalingInstances)";
        var members = await session.CallAsync(why, ct => session.AutoScaling.DescribeInstancesAsync([instanceId], ct), cancellationToken)
            .ConfigureAwait(false);
        if (members.FirstOrDefault(m => m.InstanceId == instanceId) is not { } member) return null;
        var suspended = await session.CallAsync(
                $"cannot read Auto Scaling group {member.Group} (autoscaling:DescribeAutoScalingGroups)",
                ct => session.AutoScaling.SuspendedProcessesAsync(member.Group, ct),
                cancellationToken).ConfigureAwait(false)
            ?? throw new ProviderException($"Auto Scaling group {member.Group} of {instanceId} no longer exists");
        // Standby instances are not health-checked: nothing to protect them from.
        var suspend = member.LifecycleState.StartsWith("Standby", StringComparison.Ordinal)
            ? []
            : Processes.Where(p => !suspended.Contains(p, StringComparer.Ordinal)).ToList();
        return new AutoScalingUndo { Group = member.Group, LifecycleState = member.LifecycleState, SuspendedBefore = suspended.ToList(), Suspends = suspend };
    }

    /// <summary>For the plan: which groups the instances are in and what will be suspended there. Nothing changes.</summary>
    public static async Task<IReadOnlyList<PreflightNote>> PreflightAsync(
        AwsSession session, IReadOnlyList<string> instanceIds, string heldAs, CancellationToken cancellationToken)
    {
        IReadOnlyList<Simian.Aws.AutoScaling.AutoScalingInstance> members;
        try
        {
            members = await session.CallAsync("cannot tell which instances are in Auto Scaling groups (autoscaling:DescribeAutoScalingInstances)",
                ct => session.AutoScaling.DescribeInstancesAsync(instanceIds, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            return [new PreflightNote(PreflightVerdict.Refused, e.Message + "; an instance in a group would be replaced while " + heldAs)];
        }

        var notes = new List<PreflightNote>();
        foreach (var group in members.GroupBy(m => m.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            IReadOnlyList<string>? suspended;
            try
            {
                suspended = await session.CallAsync($"cannot read Auto Scaling group {group.Key} (autoscaling:DescribeAutoScalingGroups)",
                    ct => session.AutoScaling.SuspendedProcessesAsync(group.Key, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderException e)
            {
                notes.Add(new PreflightNote(PreflightVerdict.Refused, e.Message));
                continue;
            }

            var count = group.Count();
            var toSuspend = Processes.Where(p => suspended?.Contains(p, StringComparer.Ordinal) != true).ToList();
            if (toSuspend.Count == 0)
            {
                notes.Add(new PreflightNote(PreflightVerdict.Info,
                    $"Auto Scaling group {group.Key} ({count} of the instances): {string.Join(" and ", Processes)} already suspended; left as they are"));
                continue;
            }

            var already = Processes.Except(toSuspend).ToList();
            notes.Add(new PreflightNote(PreflightVerdict.Info,
                $"Auto Scaling group {group.Key} ({count} of the instances): suspend {string.Join(" and ", toSuspend)} while they are {heldAs}, " +
                $"resume {(toSuspend.Count == 1 ? "it" : "them")} once they run again{(already.Count > 0 ? $" ({string.Join(", ", already)} already suspended, left so)" : "")}; " +
                "meanwhile the group's other instances are not health-checked either"));
            notes.Add(new PreflightNote(PreflightVerdict.NotChecked,
                $"autoscaling:SuspendProcesses and autoscaling:ResumeProcesses on {group.Key}: Auto Scaling has no dry run (if the suspend is refused, nothing is {heldAs})"));
        }

        return notes;
    }

    /// <summary>Suspends what the capture said to; a refusal means nothing was suspended, and nothing is stopped.</summary>
    public static async Task ApplyAsync(AwsSession session, AutoScalingUndo? protection, string instanceId, CancellationToken cancellationToken)
    {
        if (protection is not { Suspends.Count: > 0 } asg) return;
        try
        {
            await session.CallAsync(
                $"cannot suspend {string.Join(" and ", asg.Suspends)} on Auto Scaling group {asg.Group}, so {instanceId} is not touched",
                async ct =>
                {
                    await session.AutoScaling.SuspendProcessesAsync(asg.Group, asg.Suspends, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.InnerException is AmazonServiceException { ErrorType: ErrorType.Sender } refused
                                          && !AwsErrors.IsTransient(refused, retryUnreachable: false))
        {
            // Auto Scaling refused the call outright (a missing permission, a bad name): it suspended nothing.
            throw new FaultNotAppliedException(e.Message, e);
        }
    }

    /// <summary>Resumes exactly the processes simian suspended (idempotent: resuming a running process is a no-op).</summary>
    public static async Task<bool> RestoreAsync(AwsSession session, AutoScalingUndo? protection, CancellationToken cancellationToken)
    {
        if (protection is not { Suspends.Count: > 0 } asg) return false;
        await session.CallAsync(
            $"cannot resume {string.Join(" and ", asg.Suspends)} on Auto Scaling group {asg.Group}",
            async ct =>
            {
                await session.AutoScaling.ResumeProcessesAsync(asg.Group, asg.Suspends, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken,
            undo: true).ConfigureAwait(false);
        return true;
    }
}

/// <summary>The instance's group, its lifecycle state, what was suspended before, and what simian suspends (and resumes).</summary>
public sealed record AutoScalingUndo
{
    public required string Group { get; init; }
    public string? LifecycleState { get; init; }
    public IReadOnlyList<string> SuspendedBefore { get; init; } = [];
    public IReadOnlyList<string> Suspends { get; init; } = [];
}
