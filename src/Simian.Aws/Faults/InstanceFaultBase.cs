using System.Text.Json.Nodes;
using Simian.Aws.Clients;
using Simian.Aws.Ec2;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary>
/// What every instance fault shares: its params are checked the same way, and capture records the instance's
/// state and lifecycle as they were just before the change, so apply can refuse and undo can tell what it did.
/// </summary>
internal abstract class InstanceFaultBase(AwsSessions sessions) : IFault
{
    protected AwsSessions Sessions => sessions;

    public abstract string Name { get; }

    public abstract string Summary { get; }

    public abstract bool Reversible { get; }

    protected virtual string[] ParamKeys => [];

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        ReadParams(new MapReader(parameters, diagnostics, $"{Name} params", ParamKeys));

    /// <summary>Reads (and so checks) this fault's params beyond the unknown-key check.</summary>
    protected virtual void ReadParams(MapReader reader)
    {
    }

    public abstract string Describe(YMapping parameters, TimeSpan? duration);

    public async Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var session = sessions.Get(context.Settings.Values);
        var id = context.Resource.Id;
        var instance = await Ec2Instances.DescribeAsync(session, id, cancellationToken).ConfigureAwait(false)
            ?? throw new ProviderException($"instance {id} no longer exists");
        return new JsonObject
        {
            ["instanceId"] = id,
            ["state"] = Ec2Instances.State(instance),
            ["lifecycle"] = Ec2Instances.Lifecycle(instance),
        };
    }

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) =>
        ApplyAsync(sessions.Get(context.Settings.Values), context, Captured.From(undo, context.Resource.Id), cancellationToken);

    protected abstract Task ApplyAsync(AwsSession session, FaultContext context, Captured captured, CancellationToken cancellationToken);

    public virtual Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoOutcome.NothingToUndo);

    /// <summary>The instance as capture found it.</summary>
    protected sealed record Captured(string InstanceId, string State, string Lifecycle)
    {
        public static Captured From(JsonObject undo, string fallbackId) => new(
            undo["instanceId"]?.GetValue<string>() ?? fallbackId,
            undo["state"]?.GetValue<string>() ?? "unknown",
            undo["lifecycle"]?.GetValue<string>() ?? "normal");
    }
}
