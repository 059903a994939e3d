using Simian.Core.Profiles;

namespace Simian.Core.Probes;

/// <summary>Runs one steady-state probe. Never throws for a failing system: failure is a result.</summary>
public interface IProbeRunner
{
    Task<ProbeResult> RunAsync(ProbeSpec probe, CancellationToken cancellationToken);
}
