using System.Text.Json.Nodes;
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
        _ = new MapReader(parameters, diagnostics, "process-pause params", ParameterKeys);

    public string Describe(YMapping parameters, TimeSpan? duration) =>
        duration is { } d ? $"freeze (SIGSTOP) for {Simian.Core.Profiles.Duration.Format(d)}" : "freeze (SIGSTOP) until rollback";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var live = ProcessTargetType.Live(context.Resource.Id, context.Resource.Attribute("startTime"))
            ?? throw new InvalidOperationException($"process {context.Resource.Id} has exited or its pid was reused");
        return Task.FromResult(new JsonObject
        {
            ["pid"] = live.Pid,
            ["startTime"] = context.Resource.Attribute("startTime"),
            ["wasStopped"] = live.State == 'T',
        });
    }

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        Signals.Inject((int)undo["pid"]!, Signals.Stop);
        return Task.CompletedTask;
    }

    public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        // A process that was already stopped before we came is left as we found it.
        if (context.Undo["wasStopped"] is JsonValue w && w.TryGetValue<bool>(out var was) && was) return Task.FromResult(UndoOutcome.NothingToUndo);
        var live = ProcessTargetType.Live(context.ResourceId, (string?)context.Undo["startTime"]);
        if (live is null) return Task.FromResult(UndoOutcome.NothingToUndo);
        var stopped = live.State is 'T' or 't';
        Signals.Send(live.Pid, Signals.Cont);
        return Task.FromResult(stopped ? UndoOutcome.Restored : UndoOutcome.NothingToUndo);
    }
}
