using System.Globalization;

namespace Simian.Bench.Support;

/// <summary>
/// <c>--name value</c> options of one subcommand. Sizes take K/M/G suffixes (powers of 1024), durations ms/s/m;
/// an option given but never read is an error, so a typo cannot silently fall back to a default.
/// </summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArgs(string subcommand, IReadOnlyList<string> args)
    {
        Subcommand = subcommand;
        Raw = args;
        for (var i = 0; i < args.Count; i++)
        {
            var key = args[i];
            if (!key.StartsWith("--", StringComparison.Ordinal))
            {
                throw new BenchUsageException($"{subcommand}: unexpected argument '{key}' (options are --name value)");
            }

            var value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            _values[key[2..]] = value;
        }
    }

    public string Subcommand { get; }

    public IReadOnlyList<string> Raw { get; }

    /// <summary>How to run exactly this measurement again from the repository root.</summary>
    public string Reproduce =>
        $"dotnet run -c {Configuration} --project bench/Simian.Bench -- {Subcommand}" + string.Concat(Raw.Select(a => " " + Quote(a)));

    public string? String(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public bool Flag(string name) => String(name) is "true" or "1" or "yes";

    public int Int(string name, int fallback) =>
        String(name) is { } text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        String(name) is { } text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    public long Size(string name, long fallback) => String(name) is { } text ? ParseSize(text) : fallback;

    public TimeSpan Duration(string name, TimeSpan fallback) => String(name) is { } text ? ParseDuration(text) : fallback;

    public IReadOnlyList<int> Ints(string name, string fallback) =>
        [.. String(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => (int)ParseSize(s))];

    /// <summary>Fails on options that no code read: they were misspelt or belong to another subcommand (--label is for every one).</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k) && k != "label").ToList();
        if (unknown.Count > 0)
        {
            throw new BenchUsageException($"{Subcommand}: unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}");
        }
    }

    public static long ParseSize(string text)
    {
        var t = text.Trim();
        long unit = char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        var number = unit == 1 ? t : t[..^1];
        return (long)(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture) * unit);
    }

    public static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim();
        (string number, double ms) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 1.0)
            : t.EndsWith('s') ? (t[..^1], 1000.0)
            : t.EndsWith('m') ? (t[..^1], 60_000.0)
            : (t, 1000.0);
        return TimeSpan.FromMilliseconds(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture) * ms);
    }

    private static string Configuration =>
        AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"') ? $"'{arg.Replace("'", "'\\''")}'" : arg;
}

/// <summary>A bad command line: exit code 2, like the CLI it measures.</summary>
public sealed class BenchUsageException(string message) : Exception(message);

/// <summary>The harness could not measure (a wrong answer, a child that would not start): exit code 1.</summary>
public sealed class BenchFailedException(string message) : Exception(message);
