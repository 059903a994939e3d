using Microsoft.Extensions.Time.Testing;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Safety;
using Simian.Fuzz.Tests.Support;

namespace Simian.Fuzz.Tests.Guard;

/// <summary>
/// Plans a <see cref="GuardCase"/> with the real planner and guard and checks it against rules written here
/// independently: every violation is a line starting with the property's name in brackets.
/// </summary>
public static class GuardOracle
{
    private static readonly Exception[] Failures =
    [
        new InvalidOperationException("zone database unreadable"), new NullReferenceException(), new TimeZoneNotFoundException("x"),
        new OperationCanceledException(), new KeyNotFoundException(""), new AggregateException(new IOException("disk")),
        new ArgumentOutOfRangeException("index"), new FormatException(), new NotImplementedException(),
    ];

    public static async Task<(Plan Plan, List<string> Violations)> CheckAsync(GuardCase c, string lockDir)
    {
        var other = new TargetLocks(lockDir);
        var mine = new TargetLocks(lockDir);
        try
        {
            if (c.HeldElsewhere.Count > 0 && other.TryAcquireAll(c.HeldElsewhere).Count > 0)
            {
                return (null!, ["[setup] could not take the other run's locks"]);
            }
            var plan = await PlanAsync(c, c.Targets.ToDictionary(t => t.Name, t => t.Resources), mine);
            var violations = Violations(c, plan);

            // The same seed gives the same picks however the provider happens to order its listing.
            var shuffler = new Random(unchecked((int)c.PickSeed));
            var reordered = c.Targets.ToDictionary(t => t.Name, t => (IReadOnlyList<Resource>)t.Resources.OrderBy(_ => shuffler.Next()).ToList());
            var again = await PlanAsync(c, reordered, mine);
            foreach (var t in plan.Targets)
            {
                var ids = string.Join(",", t.Selected.Select(r => r.Id));
                var idsAgain = string.Join(",", again.Target(t.Name).Selected.Select(r => r.Id));
                if (ids != idsAgain) violations.Add($"[reproducible] {t.Name} picked {ids} then {idsAgain} with seed {c.PickSeed}");
            }
            if (plan.Fingerprint != again.Fingerprint) violations.Add("[reproducible] fingerprint changed with the provider's listing order");
            return (plan, violations);
        }
        finally
        {
            other.ReleaseAll();
            mine.ReleaseAll();
        }
    }

    private static Task<Plan> PlanAsync(GuardCase c, IReadOnlyDictionary<string, IReadOnlyList<Resource>> listing, TargetLocks locks)
    {
        var world = new FleetWorld();
        foreach (var (name, resources) in listing) world.Set(name, resources);
        var guard = c.ThrowingCheckAt is { } at ? WithThrowingCheck(at) : SafetyGuard.Default();
        return new Planner(world.Registry, guard, new FakeTimeProvider(c.Now), locks).PlanAsync(c.ToExperiment(), c.PickSeed, CancellationToken.None);
    }

    /// <summary>The default checks with one that throws put at <paramref name="at"/>.</summary>
    private static SafetyGuard WithThrowingCheck(int at)
    {
        var checks = new List<IGuardCheck>
        {
            new WindowCheck(), new MaxTargetsCheck(), new MaxPercentCheck(), new AllowedRegionsCheck(), new AllowedAccountsCheck(),
            new IrreversibleCheck(), new MaxDurationCheck(), new TargetLockCheck(),
        };
        checks.Insert(Math.Min(at, checks.Count), new ThrowingCheck(Failures[at % Failures.Length]));
        return new SafetyGuard(checks);
    }

    private static List<string> Violations(GuardCase c, Plan plan)
    {
        var v = new List<string>();
        var safety = c.Safety;
        var reasons = new List<string>();
        foreach (var t in plan.Targets)
        {
            var spec = c.Targets.Single(x => x.Name == t.Name);
            var listed = spec.Resources.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            if (t.Matched != spec.Resources.Count) v.Add($"[matched] {t.Name} matched {t.Matched} of {spec.Resources.Count}");
            if (t.Selected.Select(r => r.Id).Distinct().Count() != t.Selected.Count) v.Add($"[pick] {t.Name} selected a resource twice");
            foreach (var r in t.Selected)
            {
                if (!listed.Contains(r.Id)) v.Add($"[pick] {t.Name} selected {r.Id}, which its selector did not match");
                if (TagProblem(r, t.Type, safety) is { } problem) v.Add($"[tags] {t.Name} selected {r.Id}: {problem}");
            }
            CheckPickCount(spec, t, safety, v);
            if (safety.MaxPercent is { } max && t.Selected.Count > 0 && t.Selected.Count * 100.0 > max * t.Matched + 1e-6)
            {
                reasons.Add($"maxPercent: {t.Name} {t.Selected.Count}/{t.Matched} over {max}%");
            }
        }
        if (safety.MaxTargets is { } maxTargets && plan.SelectedCount > maxTargets) reasons.Add($"maxTargets: {plan.SelectedCount} > {maxTargets}");
        var scoped = plan.Targets.Where(t => !t.Type.StartsWith("local:", StringComparison.Ordinal)).SelectMany(t => t.Selected).ToList();
        if (safety.AllowedRegions is { } regions && scoped.FirstOrDefault(r => r.Region is null || !regions.Contains(r.Region)) is { } outR)
        {
            reasons.Add($"allowedRegions: {outR.Id} in {outR.Region ?? "unknown region"}");
        }
        if (safety.AllowedAccounts is { } accounts && scoped.FirstOrDefault(r => r.Account is null || !accounts.Contains(r.Account)) is { } outA)
        {
            reasons.Add($"allowedAccounts: {outA.Id} in {outA.Account ?? "unknown account"}");
        }
        if (safety.Window is { } window && !Inside(window, c.Now)) reasons.Add("window: outside (or the zone is unknown)");
        if (c.Targets.Any(t => t.Irreversible && !t.IrreversibleAllowed)) reasons.Add("irreversible: not allowed");
        var held = c.HeldElsewhere.ToHashSet();
        if (plan.Targets.SelectMany(t => t.Selected.Select(r => (t.Type, r.Id))).FirstOrDefault(held.Contains) is { Id: not null } h)
        {
            reasons.Add($"targetLocks: {h.Id} is held by another run");
        }
        // No false green: a target that selects nothing, and does not say it may, means the run would test nothing there.
        if (plan.Targets.FirstOrDefault(t => t.Selected.Count == 0 && !c.Targets.Single(x => x.Name == t.Name).Optional) is { } empty)
        {
            reasons.Add($"selection: {empty.Name} selected nothing");
        }
        if (c.ThrowingCheckAt is not null)
        {
            reasons.Add("throws: a check failed");
            var verdict = plan.Guard.SingleOrDefault(g => g.Check == ThrowingCheck.CheckName);
            if (verdict is null || verdict.Passed || !verdict.Detail.StartsWith("not running:", StringComparison.Ordinal))
            {
                v.Add($"[fail-closed] the throwing check's verdict is {verdict?.Passed.ToString() ?? "missing"}: {verdict?.Detail}");
            }
        }

        if (plan.Allowed && reasons.Count > 0) v.Add($"[guard] ALLOWED although {string.Join("; ", reasons)}");
        if (!plan.Allowed && reasons.Count == 0)
        {
            v.Add($"[guard] refused for no reason the rules give: {string.Join("; ", plan.Guard.Where(g => !g.Passed).Select(g => $"{g.Check}: {g.Detail}"))}");
        }
        return v;
    }

    /// <summary>Why a selected resource breaks the tag rules, or null. Unknown tags pass only on local kinds.</summary>
    private static string? TagProblem(Resource r, string type, SafetySpec safety)
    {
        if (r.Tags is null)
        {
            var rules = safety.RequireTags.Count + safety.ExcludeTags.Count > 0;
            return rules && !type.StartsWith("local:", StringComparison.Ordinal) ? "its tags are unknown" : null;
        }
        foreach (var (key, value) in safety.ExcludeTags)
        {
            if (r.Tags.TryGetValue(key, out var has) && has == value) return $"has excluded {key}={value}";
        }
        foreach (var (key, value) in safety.RequireTags)
        {
            if (!r.Tags.TryGetValue(key, out var has) || has != value) return $"lacks required {key}={value}";
        }
        return null;
    }

    /// <summary>A pick takes min(count, n), or the floor of the percentage but at least one, in each group.</summary>
    private static void CheckPickCount(TargetCase spec, TargetPlan t, SafetySpec safety, List<string> v)
    {
        var eligible = spec.Resources.Where(r => TagProblem(r, spec.Type, safety) is null).ToList();
        var groups = spec.Pick.Per is null
            ? [eligible]
            : eligible.GroupBy(r => Picker.GroupKey(r, spec.Pick.Per)).Where(g => g.Key is not null).Select(g => g.ToList()).ToList();
        var selected = t.Selected.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var n = group.Count;
            var expected = n == 0 ? 0
                : spec.Pick.Count is { } count ? Math.Min(count, n)
                : spec.Pick.Percent is { } p ? Math.Min(n, Math.Max(1, (int)decimal.Floor(n * (decimal)p / 100m)))
                : n;
            var got = group.Count(r => selected.Contains(r.Id));
            if (got != expected) v.Add($"[pick] {t.Name} took {got} of a group of {n} for pick {spec.Pick}, expected {expected}");
        }
        if (spec.Pick.Per is { } per && t.Selected.Any(r => Picker.GroupKey(r, per) is null))
        {
            v.Add($"[pick] {t.Name} selected a resource that has no {per} to group by");
        }
    }

    /// <summary>
    /// Inside the window, by its own reading: each listed day opens the window at <c>start</c> local time for
    /// (end - start) mod 24h. An unknown zone is never inside.
    /// </summary>
    public static bool Inside(WindowSpec w, DateTimeOffset now)
    {
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(w.TimeZoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return false;
        }
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var length = w.End.ToTimeSpan() - w.Start.ToTimeSpan();
        if (length <= TimeSpan.Zero) length += TimeSpan.FromDays(1);
        foreach (var back in new[] { 0, 1 })
        {
            var day = local.Date.AddDays(-back);
            var open = day + w.Start.ToTimeSpan();
            if (w.Days.Contains(day.DayOfWeek) && local >= open && local < open + length) return true;
        }
        return false;
    }

    private sealed class ThrowingCheck(Exception failure) : IGuardCheck
    {
        public const string CheckName = "throws";

        public string Name => CheckName;

        public GuardVerdict Evaluate(GuardInput input) => throw failure;
    }
}
