using System.Globalization;

namespace Simian.Core.Profiles;

/// <summary>Durations as profiles write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>.</summary>
public static class Duration
{
    private static readonly TimeSpan Max = TimeSpan.FromDays(7);

    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = "empty duration";
            return false;
        }
        var total = 0.0;
        var i = 0;
        var lastUnitRank = int.MaxValue;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start)
            {
                error = $"'{text}' is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)";
                return false;
            }
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{text}' is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)";
                return false;
            }
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            var unit = s[unitStart..i];
            (double ms, int rank) = unit switch
            {
                "h" => (3_600_000.0, 4),
                "m" => (60_000.0, 3),
                "s" => (1_000.0, 2),
                "ms" => (1.0, 1),
                "" => (double.NaN, 0),
                _ => (double.NaN, -1),
            };
            if (double.IsNaN(ms))
            {
                error = unit.Length == 0 && i < s.Length
                    ? $"'{text}' is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)"
                    : unit.Length == 0
                    ? $"'{text}' needs a unit (ms, s, m or h)"
                    : $"unknown unit '{unit}' in '{text}' (use ms, s, m or h)";
                return false;
            }
            if (rank >= lastUnitRank)
            {
                error = $"'{text}': units must go from larger to smaller (e.g. 1h30m)";
                return false;
            }
            lastUnitRank = rank;
            total += number * ms;
            if (total > Max.TotalMilliseconds)
            {
                error = $"'{text}' is longer than the maximum of 7 days";
                return false;
            }
        }
        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>The shortest canonical form, e.g. 90s prints as 1m30s.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var parts = new List<string>();
        var ms = (long)Math.Round(value.TotalMilliseconds);
        var h = ms / 3_600_000; ms %= 3_600_000;
        var m = ms / 60_000; ms %= 60_000;
        var sec = ms / 1000; ms %= 1000;
        if (h > 0) parts.Add($"{h}h");
        if (m > 0) parts.Add($"{m}m");
        if (sec > 0) parts.Add($"{sec}s");
        if (ms > 0) parts.Add($"{ms}ms");
        return string.Concat(parts);
    }
}
