using System.Diagnostics;

namespace Simian.Bench.Support;

/// <summary>Order statistics of one set of samples (any unit), computed once on a sorted copy.</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> samples)
    {
        _sorted = [.. samples];
        Array.Sort(_sorted);
        if (_sorted.Length == 0)
        {
            throw new BenchFailedException("no samples were collected");
        }
    }

    public int Count => _sorted.Length;

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Median => Quantile(0.5);

    public double P90 => Quantile(0.90);

    public double P99 => Quantile(0.99);

    public double Mean => _sorted.Average();

    public IReadOnlyList<double> Sorted => _sorted;

    /// <summary>Linear interpolation between closest ranks (numpy's default), q in [0, 1].</summary>
    public double Quantile(double q)
    {
        var position = q * (_sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, _sorted.Length - 1);
        return _sorted[lower] + ((position - lower) * (_sorted[upper] - _sorted[lower]));
    }

    /// <summary>Kolmogorov–Smirnov statistic D against the uniform distribution on [low, high].</summary>
    public double KolmogorovSmirnovUniform(double low, double high)
    {
        double n = _sorted.Length, d = 0;
        for (var i = 0; i < _sorted.Length; i++)
        {
            var cdf = Math.Clamp((_sorted[i] - low) / (high - low), 0, 1);
            d = Math.Max(d, Math.Max(((i + 1) / n) - cdf, cdf - (i / n)));
        }

        return d;
    }

    /// <summary>
    /// KS statistic D against uniform on [low, high] plus independent measurement noise, whose distribution is the
    /// empirical one of <paramref name="noise"/>: CDF(x) = mean over e in noise of U(x − e). The noise is what a
    /// fixed delay measured on the same machine at the same time deviated from its configured value (scheduling,
    /// timer wake-up), so this asks whether the jitter itself is uniform, not whether the machine is quiet.
    /// </summary>
    public double KolmogorovSmirnovUniformPlusNoise(double low, double high, IReadOnlyList<double> noise)
    {
        double n = _sorted.Length, d = 0;
        for (var i = 0; i < _sorted.Length; i++)
        {
            double cdf = 0;
            foreach (var e in noise)
            {
                cdf += Math.Clamp((_sorted[i] - e - low) / (high - low), 0, 1);
            }

            cdf /= noise.Count;
            d = Math.Max(d, Math.Max(((i + 1) / n) - cdf, cdf - (i / n)));
        }

        return d;
    }

    /// <summary>The KS critical value at α = 0.05 for this many samples (asymptotic, fine above ~35).</summary>
    public double KolmogorovSmirnovCritical05 => 1.358 / Math.Sqrt(_sorted.Length);

    public Dictionary<string, double> Summary(int decimals = 3) => new()
    {
        ["n"] = Count,
        ["min"] = Math.Round(Min, decimals),
        ["median"] = Math.Round(Median, decimals),
        ["p90"] = Math.Round(P90, decimals),
        ["p99"] = Math.Round(P99, decimals),
        ["max"] = Math.Round(Max, decimals),
        ["mean"] = Math.Round(Mean, decimals),
    };
}

/// <summary>Stopwatch ticks to milliseconds and microseconds.</summary>
public static class Ticks
{
    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static double ToUs(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    public static double SinceMs(long start) => ToMs(Stopwatch.GetTimestamp() - start);
}
