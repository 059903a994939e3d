using System.Globalization;
using System.Text;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Fuzz.Tests.Guard;

/// <summary>One target of a generated case: its type, its pick and what its selector matches.</summary>
/// <remarks>An irreversible step names the fault that cannot be undone; <c>Allowed</c> is its <c>irreversible: allowed</c>.</remarks>
public sealed record TargetCase(string Name, string Type, PickSpec Pick, IReadOnlyList<Resource> Resources, bool Irreversible, bool IrreversibleAllowed, bool Optional = false);

/// <summary>
/// One generated planner+guard input: targets and their fleets, safety settings, the instant, the pick seed, a
/// guard check that throws (or none), and resources that another run holds.
/// </summary>
public sealed record GuardCase(
    IReadOnlyList<TargetCase> Targets,
    SafetySpec Safety,
    DateTimeOffset Now,
    long PickSeed,
    int? ThrowingCheckAt,
    IReadOnlyList<(string Type, string Id)> HeldElsewhere)
{
    private static readonly SourceLocation Here = new("guard-case.yaml", 1, 1);

    public Experiment ToExperiment() => new()
    {
        SourcePath = Here.File,
        Metadata = new Metadata("guard-case", null, null, new Dictionary<string, string>()),
        Providers = new Dictionary<string, ProviderSettings>(),
        Targets = Targets.Select(t => new TargetSpec(t.Name, t.Type, new YMapping([], Here), t.Pick, Here, Here, t.Optional)).ToList(),
        Safety = Safety,
        SteadyState = SteadyStateSpec.None,
        Method = Targets.Select((t, i) => (MethodStep)new FaultStep(i, $"step-{i}", t.Irreversible ? "smash" : "poke", t.Name,
            new YMapping([], Here), TimeSpan.FromSeconds(1), t.IrreversibleAllowed, Here)).ToList(),
        Rollback = RollbackMode.Always,
        CanonicalContentOf = () => "{}",
    };

    public int ResourceCount => Targets.Sum(t => t.Resources.Count);

    public override string ToString()
    {
        var s = new StringBuilder();
        s.AppendLine($"  now {Now:yyyy-MM-dd'T'HH:mm:ssK} ({Now.DayOfWeek}), pick seed {PickSeed}, throwing check at {ThrowingCheckAt?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        var w = Safety.Window;
        s.AppendLine($"  safety: maxTargets {Safety.MaxTargets?.ToString(CultureInfo.InvariantCulture) ?? "-"}, maxPercent {Safety.MaxPercent?.ToString(CultureInfo.InvariantCulture) ?? "-"}, "
            + $"requireTags {Tags(Safety.RequireTags)}, excludeTags {Tags(Safety.ExcludeTags)}, "
            + $"allowedRegions {List(Safety.AllowedRegions)}, allowedAccounts {List(Safety.AllowedAccounts)}, "
            + (w is null ? "no window" : $"window {string.Join(',', w.Days.Select(d => d.ToString()[..3]))} {w.Start:HH\\:mm}-{w.End:HH\\:mm} {w.TimeZoneId}"));
        foreach (var t in Targets)
        {
            s.AppendLine($"  target {t.Name} ({t.Type}, pick {t.Pick}{(t.Optional ? ", optional" : "")}{(t.Irreversible ? (t.IrreversibleAllowed ? ", irreversible allowed" : ", irreversible NOT allowed") : "")}):");
            foreach (var r in t.Resources)
            {
                s.AppendLine($"    {r.Id} tags {(r.Tags is null ? "unknown" : Tags(r.Tags))} region {r.Region ?? "-"} account {r.Account ?? "-"} zone {r.Zone ?? "-"}");
            }
        }
        if (HeldElsewhere.Count > 0) s.AppendLine($"  held by another run: {string.Join(", ", HeldElsewhere.Select(h => $"{h.Type} {h.Id}"))}");
        return s.ToString();
    }

    private static string Tags(IReadOnlyDictionary<string, string> tags) =>
        "{" + string.Join(", ", tags.Select(t => $"{t.Key}={t.Value}")) + "}";

    private static string List(IReadOnlyList<string>? list) => list is null ? "-" : "[" + string.Join(", ", list) + "]";
}
