using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Core.Profiles;

/// <summary>A loaded <c>simian/v1</c> experiment profile.</summary>
public sealed record Experiment
{
    public required string SourcePath { get; init; }
    public required Metadata Metadata { get; init; }
    /// <summary>Provider settings by provider name (<c>local</c>, <c>aws</c>), as written.</summary>
    public required IReadOnlyDictionary<string, ProviderSettings> Providers { get; init; }
    public required IReadOnlyList<TargetSpec> Targets { get; init; }
    public required SafetySpec Safety { get; init; }
    public required SteadyStateSpec SteadyState { get; init; }
    public required IReadOnlyList<MethodStep> Method { get; init; }
    public required RollbackMode Rollback { get; init; }
    private readonly Lazy<string> _canonical = null!;

    /// <summary>The profile's content in canonical JSON (key order, no comments): the fingerprint covers it.</summary>
    public string CanonicalContent => _canonical.Value;

    /// <summary>
    /// Gives <see cref="CanonicalContent"/> as the function that writes it, run when it is first read: a plan's
    /// fingerprint needs it, <c>validate</c> does not (writing it was a twentieth of validate's start-up).
    /// </summary>
    public required Func<string> CanonicalContentOf { init => _canonical = new Lazy<string>(value); }
    /// <summary>The values of the profile's <c>parameters</c> for this plan or run, in the order declared.</summary>
    public IReadOnlyList<ParameterValue> Parameters { get; init; } = [];

    public string Name => Metadata.Name;

    public TargetSpec? Target(string name) => Targets.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// The shortest the method can take: the sum of its fault and pause durations, a parallel group counting as its
    /// longest step.
    /// </summary>
    public TimeSpan MethodDuration => Units.Aggregate(TimeSpan.Zero, (sum, unit) => sum + unit.Max(s => s.Duration ?? TimeSpan.Zero));

    /// <summary>The method as it runs: each step on its own, or a parallel group's steps together, in order.</summary>
    public IReadOnlyList<IReadOnlyList<MethodStep>> Units => MethodUnits.Of(Method, s => s);
}

public sealed record Metadata(string Name, string? Description, string? Owner, IReadOnlyDictionary<string, string> Labels);

/// <summary>A provider's settings block, with its source location; values are plain strings.</summary>
public sealed record ProviderSettings(string Provider, IReadOnlyDictionary<string, string> Values, YMapping? Node, SourceLocation Location)
{
    /// <summary>
    /// Per-run state: what this provider's start-up returned for the run in progress (an embedded proxy's address), so
    /// nothing about one run lives in the shared provider object. Null while planning and in <c>recover</c>. Never journaled.
    /// </summary>
    public object? Session { get; init; }

    public string? Get(string key) => Values.TryGetValue(key, out var v) ? v : null;

    public static ProviderSettings Empty(string provider) =>
        new(provider, new Dictionary<string, string>(), null, new SourceLocation("", 0, 0));
}

public sealed record TargetSpec(
    string Name,
    string Type,
    YMapping Selector,
    PickSpec Pick,
    SourceLocation Location,
    SourceLocation TypeLocation,
    bool Optional = false)
{
    /// <summary>The provider part of the type: <c>aws</c> in <c>aws:ec2:instance</c>.</summary>
    public string Provider => Type.Split(':')[0];
}

/// <summary>How many of the matched resources to hit: all, a count or a percentage, optionally per group.</summary>
public sealed record PickSpec(int? Count, double? Percent, string? Per)
{
    public static readonly PickSpec All = new(null, null, null);

    public bool IsAll => Count is null && Percent is null;

    public override string ToString() =>
        (Count is { } c ? $"count {c}" : Percent is { } p ? $"{p}%" : "all") + (Per is { } per ? $" per {per}" : "");
}

public sealed record SafetySpec
{
    public int? MaxTargets { get; init; }
    public double? MaxPercent { get; init; }
    public IReadOnlyDictionary<string, string> RequireTags { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> ExcludeTags { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string>? AllowedRegions { get; init; }
    public IReadOnlyList<string>? AllowedAccounts { get; init; }
    public WindowSpec? Window { get; init; }
    public TimeSpan? MaxDuration { get; init; }
    public bool RequireApproval { get; init; }
}

/// <summary>When experiments may run: days of the week and a local time range in a time zone.</summary>
public sealed record WindowSpec(IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeOnly End, string TimeZoneId);

public sealed record SteadyStateSpec(TimeSpan Interval, int Tolerance, bool AbortOnDeviation, IReadOnlyList<ProbeSpec> Probes)
{
    public static readonly SteadyStateSpec None = new(TimeSpan.FromSeconds(2), 2, true, []);
}

public abstract record ProbeSpec(string Name, TimeSpan Timeout)
{
    /// <summary>What the probe will do, shown in the plan before anything runs.</summary>
    public abstract string Describe();
}

public sealed record HttpProbeSpec(string Name, string Url, int ExpectStatus, TimeSpan Timeout, TimeSpan? MaxLatency, string Method)
    : ProbeSpec(Name, Timeout)
{
    public override string Describe() =>
        $"HTTP {Method} {Redaction.Url(Url)} expects {ExpectStatus}" + (MaxLatency is { } l ? $" within {Duration.Format(l)}" : "") + $" (timeout {Duration.Format(Timeout)})";
}

public sealed record CommandProbeSpec(string Name, string Run, int ExpectExit, TimeSpan Timeout, string WorkingDirectory)
    : ProbeSpec(Name, Timeout)
{
    // The command line can hold a token of its own (a curl header, a signed URL): shown masked like everything else.
    public override string Describe() => $"command `{Redaction.Text(Run)}` expects exit {ExpectExit} (timeout {Duration.Format(Timeout)})";
}

public abstract record MethodStep(int Index, string Name, TimeSpan? Duration, SourceLocation Location)
{
    /// <summary>
    /// The <c>{parallel: [...]}</c> item this step belongs to (its position in <c>method</c>), or null for a step on its
    /// own. Steps of one group start together, each with its own duration.
    /// </summary>
    public int? Parallel { get; init; }
}

public sealed record FaultStep(
    int Index,
    string Name,
    string Fault,
    string Target,
    YMapping Params,
    TimeSpan? Duration,
    bool IrreversibleAllowed,
    SourceLocation Location) : MethodStep(Index, Name, Duration, Location);

public sealed record PauseStep(int Index, TimeSpan PauseFor, SourceLocation Location)
    : MethodStep(Index, $"pause {Profiles.Duration.Format(PauseFor)}", PauseFor, Location);

public enum RollbackMode
{
    Always,
    OnDeviation,
    Never,
}

/// <summary>Groups consecutive steps of one <c>parallel</c> item; every other step is a unit of its own.</summary>
public static class MethodUnits
{
    public static IReadOnlyList<IReadOnlyList<T>> Of<T>(IEnumerable<T> steps, Func<T, MethodStep> step)
    {
        var units = new List<IReadOnlyList<T>>();
        List<T>? group = null;
        int? groupId = null;
        foreach (var item in steps)
        {
            var parallel = step(item).Parallel;
            if (parallel is not null && parallel == groupId)
            {
                group!.Add(item);
                continue;
            }
            group = [item];
            groupId = parallel;
            units.Add(group);
        }
        return units;
    }
}
