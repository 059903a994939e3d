using Simian.Core.Profiles;

namespace Simian.Fuzz.Tests.Guard;

/// <summary>Greedy shrinking: keep taking away targets, resources, tags and settings while the same property still fails.</summary>
public static class GuardShrinker
{
    public static async Task<GuardCase> ShrinkAsync(GuardCase failing, string property, Func<GuardCase, Task<List<string>>> check, int budget = 3000)
    {
        var current = failing;
        var progress = true;
        while (progress && budget > 0)
        {
            progress = false;
            foreach (var smaller in Candidates(current))
            {
                if (--budget <= 0) break;
                if ((await check(smaller)).Any(v => v.StartsWith(property, StringComparison.Ordinal)))
                {
                    current = smaller;
                    progress = true;
                    break;
                }
            }
        }
        return current;
    }

    public static string Property(string violation) => violation[..(violation.IndexOf(']') + 1)];

    private static IEnumerable<GuardCase> Candidates(GuardCase c)
    {
        for (var i = 0; i < c.Targets.Count && c.Targets.Count > 1; i++)
        {
            yield return c with { Targets = c.Targets.Where((_, k) => k != i).ToList() };
        }
        for (var i = 0; i < c.Targets.Count; i++)
        {
            var t = c.Targets[i];
            for (var j = 0; j < t.Resources.Count; j++)
            {
                yield return With(c, i, t with { Resources = t.Resources.Where((_, k) => k != j).ToList() });
            }
            if (!t.Pick.IsAll || t.Pick.Per is not null) yield return With(c, i, t with { Pick = PickSpec.All });
            if (t.Pick.Per is not null) yield return With(c, i, t with { Pick = t.Pick with { Per = null } });
            if (t.Irreversible) yield return With(c, i, t with { Irreversible = false, IrreversibleAllowed = false });
            for (var j = 0; j < t.Resources.Count; j++)
            {
                var r = t.Resources[j];
                foreach (var key in r.Tags?.Keys ?? [])
                {
                    var fewer = r with { Tags = r.Tags!.Where(kv => kv.Key != key).ToDictionary() };
                    yield return With(c, i, t with { Resources = t.Resources.Select((x, k) => k == j ? fewer : x).ToList() });
                }
            }
        }
        var s = c.Safety;
        if (s.MaxTargets is not null) yield return c with { Safety = s with { MaxTargets = null } };
        if (s.MaxPercent is not null) yield return c with { Safety = s with { MaxPercent = null } };
        if (s.Window is not null) yield return c with { Safety = s with { Window = null } };
        if (s.AllowedRegions is not null) yield return c with { Safety = s with { AllowedRegions = null } };
        if (s.AllowedAccounts is not null) yield return c with { Safety = s with { AllowedAccounts = null } };
        foreach (var key in s.RequireTags.Keys) yield return c with { Safety = s with { RequireTags = s.RequireTags.Where(kv => kv.Key != key).ToDictionary() } };
        foreach (var key in s.ExcludeTags.Keys) yield return c with { Safety = s with { ExcludeTags = s.ExcludeTags.Where(kv => kv.Key != key).ToDictionary() } };
        if (c.ThrowingCheckAt is not null) yield return c with { ThrowingCheckAt = null };
        if (c.HeldElsewhere.Count > 0) yield return c with { HeldElsewhere = [] };
    }

    private static GuardCase With(GuardCase c, int index, TargetCase target) =>
        c with { Targets = c.Targets.Select((t, k) => k == index ? target : t).ToList() };
}
