using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Simian.Local.Processes;

namespace Simian.Local.Faults;

/// <summary><c>process-kill</c>: sends a signal (KILL by default). Cannot be undone.</summary>
public sealed class ProcessKillFault : IFault
{
    private static readonly string[] ParamKeys = ["signal"];

    public IReadOnlyList<string> ParameterKeys => ParamKeys;

    public string Name => "process-kill";

    public string Summary => "send a signal (default KILL) to the process";

    public bool Reversible => false;

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics)
    {
        var p = new MapReader(parameters, diagnostics, "process-kill params", ParamKeys);
        var signal = p.String("signal");
        if (signal is not null && Signals.Parse(signal) is null)
        {
            diagnostics.Error(parameters.Get("signal")!.Location, DidYouMean.Unknown("signal", signal, Signals.ByName.Keys.ToList()));
        }
    }

    public string Describe(YMapping parameters, TimeSpan? duration) => $"send SIG{SignalName(parameters)} (irreversible)";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoRecords.Write(new KillRecord { Pid = context.Resource.Id, StartTime = context.Resource.Attribute("startTime") }, KillRecordJson.Default.KillRecord));

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var live = ProcessTargetType.Live(context.Resource.Id, context.Resource.Attribute("startTime"))
            ?? throw new FaultNotAppliedException($"process {context.Resource.Id} has exited or its pid was reused");
        Signals.Inject(live.Pid, Signals.Parse(SignalName(context.Parameters))!.Value);
        return Task.CompletedTask;
    }

    public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoOutcome.NothingToUndo);

    private static string SignalName(YMapping parameters)
    {
        var s = (parameters.Get("signal") as YScalar)?.Value ?? "KILL";
        return s.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? s[3..].ToUpperInvariant() : s.ToUpperInvariant();
    }
}

/// <summary>What was killed (nothing can undo it): the pid as the plan named it and its start time.</summary>
public sealed record KillRecord
{
    public required string Pid { get; init; }
    public string? StartTime { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(KillRecord))]
internal sealed partial class KillRecordJson : JsonSerializerContext;
