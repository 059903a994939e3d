using Simian.Core.Planning;
using Simian.Core.Providers;

namespace Simian.Core.Safety;

/// <summary>Shared logic of the region and account checks.</summary>
internal static class ScopeCheck
{
    public static GuardVerdict Evaluate(string name, string what, IReadOnlyList<string>? allowed, Plan plan, Func<Resource, string?> scope)
    {
        if (allowed is null) return new GuardVerdict(name, true, $"no {what} restriction set");
        var bad = new List<string>();
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in plan.Targets)
        {
            // Only a type that declares it has no region or account is skipped; every other is checked (fail closed).
            if (!t.Traits.Scoped) continue;
            foreach (var r in t.Selected)
            {
                var value = scope(r);
                if (value is null) bad.Add($"{r.Id} ({what} unknown)");
                else if (!allowed.Contains(value)) bad.Add($"{r.Id} ({what} {value})");
                else seen.Add(value);
            }
        }
        return bad.Count == 0
            ? new GuardVerdict(name, true, seen.Count == 0 ? $"no cloud targets selected; allowed: {string.Join(", ", allowed)}" : $"{string.Join(", ", seen)} allowed")
            : new GuardVerdict(name, false, $"not running: {string.Join(", ", bad.Take(5))}{(bad.Count > 5 ? $" and {bad.Count - 5} more" : "")} outside allowed {what}s {string.Join(", ", allowed)}");
    }
}
