using Simian.Core.Probes;

namespace Simian.Core.Running;

/// <summary>
/// Shields a run from its own progress output: an observer (a log sink, the status line) that throws is counted
/// and ignored, so that showing progress can never stop a rollback.
/// </summary>
public sealed class SafeObserver(IRunObserver inner) : IRunObserver
{
    private int _failures;

    /// <summary>How many progress messages were lost to a failing observer.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public void Phase(string text) => Guard(() => inner.Phase(text));

    public void Probe(string phase, ProbeResult result) => Guard(() => inner.Probe(phase, result));

    public void Warning(string text) => Guard(() => inner.Warning(text));

    private void Guard(Action show)
    {
        try
        {
            show();
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}
