using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Simian.Local.Processes;

namespace Simian.Local.Faults;

/// <summary><c>process-pause</c>: SIGSTOP now, SIGCONT at the end of the duration, by rollback, or by recover.</summary>
public sealed class ProcessPauseFault : IFault
{
    public string Name => "process-pause";

    /// <summary>None: a pause is a pause.</summary>
    public IReadOnlyList<string> ParameterKeys => [];

    public string Summary => "freeze the process with SIGSTOP; resumed with SIGCONT";

    public bool Reversible => true;

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, "process-pause params", ParameterKeys, _ => NoParameters.Instance);

    public string Describe(YMapping parameters, TimeSpan? duration) =>
        duration is { } d ? $"freeze (SIGSTOP) for {Simian.Core.Profiles.Duration.Format(d)}" : "freeze (SIGSTOP) until rollback";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var live = ProcessTargetType.Live(context.Resource.Id, context.Resource.Attribute("startTime"))
            ?? throw new InvalidOperationException($"process {context.Resource.Id} has exited or its pid was reused");
        return Task.FromResult(UndoRecords.Write(
            new PauseUndo { Pid = live.Pid, StartTime = context.Resource.Attribute("startTime"), WasStopped = live.State == 'T' },
            PauseUndoJson.Default.PauseUndo));
    }

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        Signals.Inject(Read(undo, context.Resource.Id).Pid, Signals.Stop);
        return Task.CompletedTask;
    }

    public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        // A process that was already stopped before we came is left as we found it.
        var record = Read(context.Undo, context.ResourceId);
        if (record.WasStopped) return Task.FromResult(UndoOutcome.NothingToUndo);
        var live = ProcessTargetType.Live(context.ResourceId, record.StartTime);
        if (live is null) return Task.FromResult(UndoOutcome.NothingToUndo);
        var stopped = live.State is 'T' or 't';
        Signals.Send(live.Pid, Signals.Cont);
        return Task.FromResult(stopped ? UndoOutcome.Restored : UndoOutcome.NothingToUndo);
    }

    private static PauseUndo Read(JsonObject undo, string pid) => UndoRecords.Read(undo, PauseUndoJson.Default.PauseUndo, $"the pause of process {pid}");
}

/// <summary>The paused process (pid and start time, so a reused pid is never resumed) and whether it was stopped already.</summary>
public sealed record PauseUndo
{
    public required int Pid { get; init; }
    /// <summary>Null where the process's start time could not be read: then the pid alone identifies it.</summary>
    public string? StartTime { get; init; }
    /// <summary>Stopped before simian came: left stopped.</summary>
    public bool WasStopped { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PauseUndo))]
internal sealed partial class PauseUndoJson : JsonSerializerContext;
