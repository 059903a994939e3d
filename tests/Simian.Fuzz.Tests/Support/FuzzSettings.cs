namespace Simian.Fuzz.Tests.Support;

/// <summary>Seeds and case counts: fixed in CI, larger with SIMIAN_LONG_TESTS=1, a seed overridable to reproduce.</summary>
public static class FuzzSettings
{
    public static bool Long => Environment.GetEnvironmentVariable("SIMIAN_LONG_TESTS") == "1";

    /// <summary>SIMIAN_FUZZ_SEED when set (to replay a reported failure), else the suite's fixed seed.</summary>
    public static int Seed(int fixedSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable("SIMIAN_FUZZ_SEED"), out var s) ? s : fixedSeed;

    public static int Cases(int ci, int longRun) => Long ? longRun : ci;

    /// <summary>A per-case generator: case i of a seed is reproducible on its own.</summary>
    public static Random CaseRandom(int seed, int index) => new(unchecked(seed * 1_000_003 + index * 7919));
}
