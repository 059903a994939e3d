using Simian.Core.Probes;

namespace Simian.Core.Running;

/// <summary>Progress of a run, for the terminal (stderr) or a test; results go elsewhere.</summary>
public interface IRunObserver
{
    void Phase(string text);

    void Probe(string phase, ProbeResult result);

    void Warning(string text);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    public static readonly NullRunObserver Instance = new();

    public void Phase(string text) { }

    public void Probe(string phase, ProbeResult result) { }

    public void Warning(string text) { }
}
