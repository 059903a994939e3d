using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Safety;

namespace Simian.Core.Tests.Fakes;

/// <summary>Profiles over <c>test:thing</c> and the plans made from them.</summary>
public static class ThingProfiles
{
    public static string Text(
        string pick = "",
        string safety = "",
        string method = "  - {name: b, fault: break, target: things}\n",
        string extra = "") =>
        "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: things-test}\n" +
        $"targets:\n  things: {{type: test:thing{pick}}}\n" +
        (safety.Length > 0 ? $"safety:\n{safety}" : "") +
        $"method:\n{method}{extra}";

    public static Experiment Load(ThingWorld world, string text)
    {
        var result = new ProfileLoader(world.Registry).LoadText(text, "/profiles/things.yaml");
        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        return result.Experiment!;
    }

    public static Task<Plan> PlanAsync(ThingWorld world, Experiment experiment, TargetLocks locks,
        TimeProvider? time = null, long seed = 1, SafetyGuard? guard = null) =>
        new Planner(world.Registry, guard ?? SafetyGuard.Default(), time ?? TimeProvider.System, locks)
            .PlanAsync(experiment, seed, CancellationToken.None);

    public static GuardVerdict Verdict(Plan plan, string check) => Assert.Single(plan.Guard, g => g.Check == check);
}
