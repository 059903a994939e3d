using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Simian.Local.Processes;

namespace Simian.Local.Services;

/// <summary>
/// The undo of a service a profile starts (<c>providers.local.services</c>): every process that carries the run's
/// marker in its environment — the service and anything it started — gets SIGCONT and SIGTERM, then SIGKILL if it
/// has not gone within the grace period. Found by the marker rather than a pid, so that <c>recover</c> stops a
/// service even when simian died before it could journal the pid, and never a process that merely reused it.
/// </summary>
public sealed class ServiceFault : IFault
{
    public const string TargetType = "local:service";

    /// <summary>The environment variable that marks a service's processes: <c>runId/serviceName</c>.</summary>
    public const string MarkerVariable = "SIMIAN_SERVICE_OF";

    private readonly TimeSpan _grace;

    public ServiceFault(TimeSpan? grace = null) => _grace = grace ?? TimeSpan.FromSeconds(5);

    public string Name => "service";

    public string Summary => "a helper process the profile starts; stopped with SIGTERM, then SIGKILL";

    public bool Reversible => true;

    public static string Marker(string runId, string service) => $"{runId}/{service}";

    public static JsonObject UndoRecord(string runId, string service) =>
        UndoRecords.Write(new ServiceUndo { Marker = Marker(runId, service) }, ServiceUndoJson.Default.ServiceUndo);

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) { }

    public string Describe(YMapping parameters, TimeSpan? duration) => "run for the length of the experiment";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("services are started by the run, not injected");

    public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) =>
        throw new NotSupportedException("services are started by the run, not injected");

    public async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var marker = UndoRecords.Read(context.Undo, ServiceUndoJson.Default.ServiceUndo, $"service {context.ResourceId}").Marker;
        var entry = $"{MarkerVariable}={marker}";
        var found = ProcFs.WithEnvironment(entry);
        if (found.Count == 0) return UndoOutcome.NothingToUndo;
        foreach (var p in found)
        {
            // A paused service must be resumed or it never sees the TERM.
            TrySignal(p.Pid, Signals.Cont);
            TrySignal(p.Pid, 15);
        }
        if (!await GoneAsync(entry, _grace, context.Time, cancellationToken).ConfigureAwait(false))
        {
            foreach (var p in ProcFs.WithEnvironment(entry)) TrySignal(p.Pid, 9);
            if (!await GoneAsync(entry, TimeSpan.FromSeconds(5), context.Time, cancellationToken).ConfigureAwait(false))
            {
                var left = string.Join(", ", ProcFs.WithEnvironment(entry).Select(p => p.Pid));
                throw new InvalidOperationException($"service processes {left} did not exit after SIGKILL");
            }
        }
        return UndoOutcome.Restored;
    }

    private static async Task<bool> GoneAsync(string entry, TimeSpan within, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (ProcFs.WithEnvironment(entry).Count > 0)
        {
            if (time.GetElapsedTime(started) > within) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private static void TrySignal(int pid, int signal)
    {
        try
        {
            Signals.Send(pid, signal);
        }
        catch (InvalidOperationException)
        {
            // Gone meanwhile.
        }
    }
}

/// <summary>How a service's processes are found again: the marker in their environment.</summary>
public sealed record ServiceUndo
{
    public required string Marker { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ServiceUndo))]
internal sealed partial class ServiceUndoJson : JsonSerializerContext;
