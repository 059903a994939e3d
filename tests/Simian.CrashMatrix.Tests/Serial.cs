namespace Simian.CrashMatrix.Tests;

/// <summary>
/// One collection for every test here: they time real processes on a small machine, so they run one at a time
/// rather than compete for the cores and blur where a kill or a signal lands.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "real processes, one at a time";
}
