using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Aws.Ec2;
using Simian.Aws.Resilience;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary>
/// What every instance fault shares: its params are checked the same way, and capture records the instance's
/// state and lifecycle as they were just before the change, so apply can refuse and undo can tell what it did.
/// </summary>
internal abstract class InstanceFaultBase(AwsSessions sessions) : IFault, IPreflightFault
{
    /// <summary>The EC2 action the fault calls (e.g. StopInstances), dry-run while planning.</summary>
    protected abstract string Ec2Action { get; }

    /// <summary>The EC2 action its undo calls (StartInstances for a stop), dry-run too; null where undo calls none.</summary>
    protected virtual string? UndoEc2Action => null;

    /// <summary>How the plan words the instances' condition while the fault holds ("stopped", "rebooting").</summary>
    protected virtual string HeldAs => "changed";

    protected AwsSessions Sessions => sessions;

    public abstract string Name { get; }

    public abstract string Summary { get; }

    public abstract bool Reversible { get; }

    protected virtual string[] ParamKeys => [];

    public IReadOnlyList<string> ParameterKeys => ParamKeys;

    /// <summary>Whether the instance's Auto Scaling group must be kept from replacing it (see <see cref="AutoScalingProtection"/>).</summary>
    protected virtual bool ProtectsFromAutoScaling => false;

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, $"{Name} params", ParamKeys, ReadParams);

    /// <summary>Reads (and so checks) this fault's typed params; none by default.</summary>
    protected virtual object ReadParams(MapReader reader) => NoParameters.Instance;

    public abstract string Describe(YMapping parameters, TimeSpan? duration);

    /// <summary>
    /// Dry runs of the fault's EC2 call and of its undo's (DryRunOperation: allowed; UnauthorizedOperation: refused,
    /// with the action named), and what the fault will do to each Auto Scaling group.
    /// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html (DryRun)
    /// </summary>
    public async Task<IReadOnlyList<PreflightNote>> PreflightAsync(PreflightContext context, CancellationToken cancellationToken)
    {
        var session = sessions.Get(context.Settings.Values);
        var ids = context.Resources.Select(r => r.Id).ToList();
        var notes = new List<PreflightNote> { await DryRunAsync(session, Ec2Action, ids, "", cancellationToken).ConfigureAwait(false) };
        if (UndoEc2Action is { } undo) notes.Add(await DryRunAsync(session, undo, ids, "to undo: ", cancellationToken).ConfigureAwait(false));
        if (ProtectsFromAutoScaling) notes.AddRange(await AutoScalingProtection.PreflightAsync(session, ids, HeldAs, cancellationToken).ConfigureAwait(false));
        return notes;
    }

    private static async Task<PreflightNote> DryRunAsync(AwsSession session, string action, IReadOnlyList<string> ids, string prefix, CancellationToken cancellationToken)
    {
        var what = $"{prefix}ec2:{action} on {ids.Count} instance(s)";
        foreach (var chunk in ids.Chunk(100))
        {
            try
            {
                await session.CallAsync($"dry run of ec2:{action}", ct => Completed(action switch
                {
                    "StopInstances" => (Task)session.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [.. chunk], DryRun = true }, ct),
                    "StartInstances" => session.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [.. chunk], DryRun = true }, ct),
                    "RebootInstances" => session.Ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [.. chunk], DryRun = true }, ct),
                    "TerminateInstances" => session.Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [.. chunk], DryRun = true }, ct),
                    _ => throw new InvalidOperationException($"no dry run for {action}"),
                }), cancellationToken).ConfigureAwait(false);
                // EC2 never carries out a dry run; an endpoint that answered as if it had is not to be trusted.
                return new PreflightNote(PreflightVerdict.Refused, $"{what}: the endpoint answered a dry run without DryRunOperation, so the permission is unknown");
            }
            catch (ProviderException e) when (AwsErrors.Code(e) == "DryRunOperation")
            {
            }
            catch (ProviderException e) when (AwsErrors.Code(e) is "UnauthorizedOperation" or "AccessDenied")
            {
                return new PreflightNote(PreflightVerdict.Refused, $"{what}: not allowed — the caller lacks ec2:{action} ({Short(e.Message)})");
            }
            catch (ProviderException e)
            {
                return new PreflightNote(PreflightVerdict.Refused, $"{what}: the dry run failed ({Short(e.Message)})");
            }
        }
        return new PreflightNote(PreflightVerdict.Allowed, $"{what}: allowed (dry run)");
    }

    private static async Task<bool> Completed(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }

    private static string Short(string text) => text.Length > 300 ? text[..300] + "…" : text;

    public async Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var session = sessions.Get(context.Settings.Values);
        var id = context.Resource.Id;
        var instance = await Ec2Instances.DescribeAsync(session, id, cancellationToken).ConfigureAwait(false)
            ?? throw new ProviderException($"instance {id} no longer exists");
        var captured = new InstanceUndo { InstanceId = id, State = Ec2Instances.State(instance), Lifecycle = Ec2Instances.Lifecycle(instance) };
        // Only a running instance is changed, so only then is its group asked about (and protected).
        if (ProtectsFromAutoScaling && captured.State == "running" && captured.Lifecycle != "spot")
        {
            captured = captured with { AutoScaling = await AutoScalingProtection.CaptureAsync(session, id, cancellationToken).ConfigureAwait(false) };
        }
        return UndoRecords.Write(captured, InstanceUndoJson.Default.InstanceUndo);
    }

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) =>
        ApplyAsync(sessions.Get(context.Settings.Values), context, Captured.From(undo, context.Resource.Id), cancellationToken);

    protected abstract Task ApplyAsync(AwsSession session, FaultContext context, Captured captured, CancellationToken cancellationToken);

    public virtual Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoOutcome.NothingToUndo);

    /// <summary>The instance as capture found it, read from the journaled record.</summary>
    protected sealed record Captured(string InstanceId, string State, string Lifecycle, AutoScalingUndo? AutoScaling)
    {
        public static Captured From(JsonObject undo, string fallbackId)
        {
            var record = UndoRecords.Read(undo, InstanceUndoJson.Default.InstanceUndo, $"instance {fallbackId}");
            return new(record.InstanceId ?? fallbackId, record.State, record.Lifecycle, record.AutoScaling);
        }
    }

    /// <summary>
    /// Waits (bounded by <see cref="AwsProviderOptions.StartTimeout"/>) until the instance is running, then resumes
    /// what its group had suspended. A start that falls back to stopped is not restored: AWS's reason is reported and
    /// the group stays protected, so the stopped instance is not replaced before someone starts it.
    /// </summary>
    protected async Task<bool> AwaitRunningAsync(AwsSession session, UndoContext context, string id, bool mayStart, CancellationToken cancellationToken)
    {
        var deadline = context.Time.GetUtcNow() + session.Options.StartTimeout;
        var started = false;
        var sawPending = false;
        var poll = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(500).Ticks, session.Options.StatePollInterval.Ticks));
        var asg = Captured.From(context.Undo, id).AutoScaling;
        var keepsNote = asg is { Suspends.Count: > 0 } g
            ? $"; Auto Scaling group {g.Group} keeps {string.Join(" and ", g.Suspends)} suspended so the instance is not replaced — start it, then run `simian recover`"
            : "";
        while (true)
        {
            var instance = await Ec2Instances.DescribeAsync(session, id, cancellationToken, undo: true).ConfigureAwait(false)
                ?? throw new ProviderException($"instance {id} no longer exists; it cannot be started again");
            var state = Ec2Instances.State(instance);
            switch (state)
            {
                case "running":
                    var resumed = await AutoScalingProtection.RestoreAsync(session, asg, cancellationToken).ConfigureAwait(false);
                    return started || resumed;
                case "pending":
                    sawPending = true;
                    break;
                case "stopping":
                    break;
                case "stopped" when started:
                    // A stopped answer right after StartInstances may be EC2's eventual consistency; a server reason
                    // (or a pending seen before) means the start failed.
                    if (sawPending || instance.StateReason?.Code?.StartsWith("Server.", StringComparison.Ordinal) == true)
                    {
                        var reason = instance.StateReason is { } r ? $"{r.Code}: {r.Message}" : "no reason given";
                        throw new ProviderException($"instance {id} did not start again: it fell back to stopped ({reason}){keepsNote}");
                    }
                    break;
                case "stopped" when mayStart:
                    await session.CallAsync(
                        $"cannot start instance {id} again",
                        ct => session.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }, ct),
                        cancellationToken,
                        undo: true).ConfigureAwait(false);
                    started = true;
                    continue;
                case "stopped":
                    throw new ProviderException($"instance {id} is stopped, not running; a reboot does not start it{keepsNote}");
                default:
                    throw new ProviderException($"instance {id} is {state}: it was terminated while the fault held and cannot be started again");
            }
            if (context.Time.GetUtcNow() >= deadline)
            {
                throw new ProviderException(
                    $"instance {id} is still {state} after {Simian.Core.Profiles.Duration.Format(session.Options.StartTimeout)}; it was not seen running{keepsNote}");
            }
            // Polls early, then less often: a sandbox settles in a second or two, AWS in tens of seconds.
            await Task.Delay(poll, context.Time, cancellationToken).ConfigureAwait(false);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, session.Options.StatePollInterval.Ticks));
        }
    }
}

/// <summary>
/// What an instance fault journals: the instance as it was (state and lifecycle decide whether undo may start it) and,
/// for a member of an Auto Scaling group, the protection it gets. Journals from before typing read the same.
/// </summary>
public sealed record InstanceUndo
{
    /// <summary>Null only in a hand-written record: then the journaled resource id is used.</summary>
    public string? InstanceId { get; init; }
    public string State { get; init; } = "unknown";
    public string Lifecycle { get; init; } = "normal";
    /// <summary>Absent when the instance is in no group (or the fault does not protect, like terminate).</summary>
    public AutoScalingUndo? AutoScaling { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InstanceUndo))]
internal sealed partial class InstanceUndoJson : JsonSerializerContext;
