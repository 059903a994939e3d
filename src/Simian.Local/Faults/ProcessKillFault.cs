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

    /// <summary>The step's params: the signal, by name as written (SIG prefix dropped, upper case) and by number (null if unknown).</summary>
    public sealed record Parameters(string Signal, int? Number);

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, "process-kill params", ParamKeys, Read);

    private static Parameters Params(YMapping parameters) => FaultParameters.Get(parameters, "process-kill params", ParamKeys, Read);

    private static Parameters Read(MapReader p)
    {
        var signal = p.String("signal");
        var number = Signals.Parse(signal ?? "KILL");
        if (signal is not null && number is null)
        {
            p.Diagnostics.Error(p.Raw("signal")!.Location, DidYouMean.Unknown("signal", signal, Signals.ByName.Keys.ToList()));
        }
        var name = signal ?? "KILL";
        return new(name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? name[3..].ToUpperInvariant() : name.ToUpperInvariant(), number);
    }

    public string Describe(YMapping parameters, TimeSpan? duration) => $"send SIG{Params(parameters).Signal} (irreversible)";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoRecords.Write(new KillRecord { Pid = context.Resource.Id, StartTime = context.Resource.Attribute("startTime") }, KillRecordJson.Default.KillRecord));

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var live = ProcessTargetType.Live(context.Resource.Id, context.Resource.Attribute("startTime"))
            ?? throw new FaultNotAppliedException($"process {context.Resource.Id} has exited or its pid was reused");
        var signal = Params(context.Parameters);
        Signals.Inject(live.Pid, signal.Number ?? throw new FaultNotAppliedException($"unknown signal '{signal.Signal}'; nothing was sent"));
        return Task.CompletedTask;
    }

    public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoOutcome.NothingToUndo);
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
