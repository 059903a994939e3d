using Serilog;
using Simian.Core.Probes;
using Simian.Core.Running;

namespace Simian.Cli.Logging;

/// <summary>Reports a run's progress through the logger (stderr), one plain line per event.</summary>
public sealed class LogRunObserver(ILogger log, TimeProvider time) : IRunObserver
{
    public void Phase(string text) => log.Information("{Time} {Text}", Stamp(), text);

    public void Probe(string phase, ProbeResult result) =>
        log.Information("{Time}   probe {Probe} [{Phase}]: {Verdict} — {Detail}", Stamp(), result.Probe, phase, result.Ok ? "ok" : "FAILED", result.Detail);

    public void Warning(string text) => log.Warning("{Time} warning: {Text}", Stamp(), text);

    private string Stamp() => time.GetLocalNow().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
}
