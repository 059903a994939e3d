namespace Simian.Reliability.Tests.DeadMansSwitch;

/// <summary>
/// Timing measurements run with no other test of this project beside them: a busy test host starves the
/// sampler's thread pool and makes the heal look later than it was.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "timing, alone";
}
