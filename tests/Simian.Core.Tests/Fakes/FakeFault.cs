using System.Text.Json.Nodes;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Core.Tests.Fakes;

/// <summary>
/// A fault that records capture, apply and undo into a shared <see cref="CallLog"/>. It can be told to throw
/// on apply or undo a number of times before it succeeds, and to be irreversible.
/// </summary>
public class FakeFault(string name, CallLog log) : IFault
{
    private int _applyFailures;
    private int _undoFailures;

    public string Name => name;

    public string Summary => $"fake {name}";

    public bool Reversible { get; init; } = true;

    public bool RequiresDuration { get; init; }

    /// <summary>Keys allowed in the step's params; null accepts any.</summary>
    public IReadOnlyCollection<string>? ParamKeys { get; init; }

    /// <summary>How many of the next applies throw.</summary>
    public int ApplyFailures { get => _applyFailures; set => _applyFailures = value; }

    /// <summary>How many of the next undos throw; <see cref="int.MaxValue"/> for always.</summary>
    public int UndoFailures { get => _undoFailures; set => _undoFailures = value; }

    /// <summary>What a successful undo reports.</summary>
    public UndoOutcome UndoResult { get; set; } = UndoOutcome.Restored;

    /// <summary>Resources on which every apply throws.</summary>
    public IReadOnlySet<string> ApplyFailsOn { get; set; } = new HashSet<string>();

    /// <summary>Runs inside ApplyAsync before the change is recorded, to observe the world at that moment.</summary>
    public Action<FaultContext>? OnApply { get; set; }

    /// <summary>Runs inside ApplyAsync with the undo record the runner holds in memory (already journaled).</summary>
    public Action<JsonObject>? OnApplyUndo { get; set; }

    public CallLog Log => log;

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics)
    {
        if (ParamKeys is not null) _ = new MapReader(parameters, diagnostics, $"params of {name}", ParamKeys);
    }

    public string Describe(YMapping parameters, TimeSpan? duration) => $"{name} ({parameters.Entries.Count} params)";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        log.Add("capture", name, context.Resource.Id);
        return Task.FromResult(new JsonObject
        {
            ["fault"] = name,
            ["before"] = $"state-of-{context.Resource.Id}",
        });
    }

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        OnApply?.Invoke(context);
        OnApplyUndo?.Invoke(undo);
        log.Add("apply", name, context.Resource.Id, undo.DeepClone().AsObject());
        if (ApplyFailsOn.Contains(context.Resource.Id) || TakeOne(ref _applyFailures)) throw new InvalidOperationException($"{name} apply refused by {context.Resource.Id}");
        return Task.CompletedTask;
    }

    public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        log.Add("undo", name, context.ResourceId, context.Undo);
        if (TakeOne(ref _undoFailures)) throw new InvalidOperationException($"{name} undo refused by {context.ResourceId}");
        return Task.FromResult(UndoResult);
    }

    private static bool TakeOne(ref int failures)
    {
        while (true)
        {
            var left = Volatile.Read(ref failures);
            if (left <= 0) return false;
            if (left == int.MaxValue) return true;
            if (Interlocked.CompareExchange(ref failures, left - 1, left) == left) return true;
        }
    }
}
