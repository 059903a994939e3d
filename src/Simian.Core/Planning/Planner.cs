using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Safety;

namespace Simian.Core.Planning;

/// <summary>Resolves targets (read-only), applies tag filters and pick, and runs the guard.</summary>
public sealed class Planner(ProviderRegistry registry, SafetyGuard guard, TimeProvider time, TargetLocks locks)
{
    public async Task<Plan> PlanAsync(Experiment experiment, long seed, CancellationToken cancellationToken)
    {
        var targets = new List<TargetPlan>();
        foreach (var target in experiment.Targets)
        {
            var type = registry.TargetType(target.Type) ?? throw new InvalidInputException($"unknown target type '{target.Type}'");
            var settings = experiment.Providers.GetValueOrDefault(target.Provider) ?? ProviderSettings.Empty(target.Provider);
            IReadOnlyList<Resource> matched;
            try
            {
                matched = await type.ResolveAsync(target, settings, cancellationToken).ConfigureAwait(false);
            }
            catch (SimianException)
            {
                throw;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new ProviderException($"cannot resolve target '{target.Name}' ({target.Type}): {Redaction.Text(e.Message)}", e);
            }
            targets.Add(Select(target, type.Traits, matched, experiment.Safety, seed));
        }

        var method = new List<StepPlan>();
        foreach (var step in experiment.Method)
        {
            method.Add(await PreflightAsync(Describe(step, targets, experiment), experiment, targets, cancellationToken).ConfigureAwait(false));
        }
        var helpers = new List<HelperPlan>();
        foreach (var (name, settings) in experiment.Providers)
        {
            if (registry.Provider(name) is IProviderLifecycle lifecycle) helpers.AddRange(lifecycle.Describe(settings));
        }
        var draft = new Plan
        {
            Experiment = experiment,
            Fingerprint = Fingerprint.Compute(experiment.CanonicalContent, targets),
            Seed = seed,
            CreatedAt = time.GetUtcNow(),
            Targets = targets,
            Method = method,
            Guard = [],
            Helpers = helpers,
        };
        return draft with { Guard = guard.Evaluate(new GuardInput(draft, time.GetUtcNow(), locks)) };
    }

    /// <summary>The fault's own checks for the step (read-only: dry runs and reads); a check that fails to run refuses.</summary>
    private async Task<StepPlan> PreflightAsync(StepPlan step, Experiment experiment, IReadOnlyList<TargetPlan> targets, CancellationToken cancellationToken)
    {
        if (step.Step is not FaultStep f) return step;
        var target = targets.First(t => t.Name == f.Target);
        if (target.Selected.Count == 0 || registry.Fault(target.Type, f.Fault) is not IPreflightFault preflight) return step;
        var provider = target.Type.Split(':')[0];
        var settings = experiment.Providers.GetValueOrDefault(provider) ?? ProviderSettings.Empty(provider);
        try
        {
            var notes = await preflight.PreflightAsync(new PreflightContext(f.Name, target.Selected, f.Params, f.Duration, settings), cancellationToken)
                .ConfigureAwait(false);
            return step with { Checks = notes };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Fail closed: what could not be checked is not assumed to be allowed.
            return step with { Checks = [new PreflightNote(PreflightVerdict.Refused, $"could not be checked: {Redaction.Text(e.Message)}")] };
        }
    }

    private static TargetPlan Select(TargetSpec target, TargetTraits traits, IReadOnlyList<Resource> matched, SafetySpec safety, long seed)
    {
        var excluded = new List<Exclusion>();
        var eligible = new List<Resource>();
        foreach (var r in matched)
        {
            // What the provider says must never be touched is shown, with why, and not counted as a match.
            if (r.Protected is { } why)
            {
                excluded.Add(new Exclusion(r.Id, $"protected: {why}"));
                continue;
            }
            // Fail closed: a cloud resource whose tags are unknown cannot be shown to satisfy the tag rules.
            var reason = traits.Tagged && r.Tags is null && (safety.RequireTags.Count > 0 || safety.ExcludeTags.Count > 0)
                ? "tags unknown, so the tag rules cannot be checked"
                : TagReason(r, safety);
            if (reason is null) eligible.Add(r);
            else excluded.Add(new Exclusion(r.Id, reason));
        }
        var (selected, notPicked) = Picker.Pick(eligible, target.Pick, seed, target.Name);
        excluded.AddRange(notPicked);
        return new TargetPlan(target.Name, target.Type, target.Pick, matched.Count(r => r.Protected is null), selected,
            excluded.OrderBy(e => e.Id, StringComparer.Ordinal).ToList())
        { Traits = traits };
    }

    /// <summary>Why the tag rules exclude a resource, or null. Kinds without tags (local processes) are not filtered.</summary>
    public static string? TagReason(Resource r, SafetySpec safety)
    {
        if (r.Tags is null) return null;
        foreach (var (key, value) in safety.ExcludeTags)
        {
            if (r.Tags.TryGetValue(key, out var v) && v == value) return $"excludeTags: has {key}={value}";
        }
        foreach (var (key, value) in safety.RequireTags)
        {
            if (!r.Tags.TryGetValue(key, out var v)) return $"requireTags: lacks {key}={value}";
            if (v != value) return $"requireTags: {key}={v}, not {value}";
        }
        return null;
    }

    private StepPlan Describe(MethodStep step, IReadOnlyList<TargetPlan> targets, Experiment experiment)
    {
        if (step is not FaultStep f)
        {
            return new StepPlan(step, null, null, true, $"wait {Duration.Format(step.Duration ?? TimeSpan.Zero)}", []);
        }
        var target = targets.First(t => t.Name == f.Target);
        var fault = registry.Fault(target.Type, f.Fault) ?? throw new InvalidInputException($"unknown fault '{f.Fault}'");
        var providerName = target.Type.Split(':')[0];
        var settings = experiment.Providers.GetValueOrDefault(providerName)?.Values ?? new Dictionary<string, string>();
        return new StepPlan(step, f.Fault, f.Target, fault.Reversible, fault.Describe(f.Params, f.Duration),
            target.Selected.Select(r => r.Id).ToList())
        {
            ExpiresOnItsOwn = fault.ExpiresOnItsOwn(settings),
        };
    }
}
