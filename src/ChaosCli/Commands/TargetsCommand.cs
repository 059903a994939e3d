using System.CommandLine;
using Simian.Cli.Output;
using Simian.Core;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Cli.Commands;

/// <summary><c>simian targets &lt;profile&gt; [name]</c>: what each selector matches right now (read-only, before pick).</summary>
public static class TargetsCommand
{
    public static Command Create(CliContext context)
    {
        var profile = new Argument<string>("profile") { Description = "Experiment profile" };
        var name = new Argument<string?>("target-name") { Description = "Only this target", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputFormat.CreateOption();
        var state = StateInput.StateOption();
        var stateEndpoint = StateInput.EndpointOption();
        var command = new Command("targets", "List what each target selector matches now") { profile, name, output, state, stateEndpoint };
        command.SetAction(async (parse, ct) =>
            await RunAsync(context, parse.GetValue(profile)!, parse.GetValue(name), parse.GetValue(output)!, ct,
                parse.GetValue(state), parse.GetValue(stateEndpoint)).ConfigureAwait(false));
        return command.WithExamples("simian targets chaos-profiles/chaos-monkey.yaml", "simian targets chaos-profiles/zone-outage.yaml zone-subnets --output json");
    }

    public static async Task<int> RunAsync(CliContext context, string profilePath, string? only, string output, CancellationToken cancellationToken,
        string? state = null, string? stateEndpoint = null)
    {
        var experiment = ProfileInput.Load(context, profilePath);
        var shared = StateInput.Resolve(context, state, stateEndpoint).Shared;
        var targets = experiment.Targets.Where(t => only is null || t.Name == only).ToList();
        if (only is not null && targets.Count == 0)
        {
            throw new InvalidInputException(Simian.Core.Diagnostics.DidYouMean.Unknown("target", only, experiment.Targets.Select(t => t.Name).ToList()));
        }
        var results = new List<(TargetSpec Target, IReadOnlyList<Resource> Matched)>();
        foreach (var t in targets)
        {
            var type = context.Services.Registry.TargetType(t.Type)!;
            var settings = experiment.Providers.GetValueOrDefault(t.Provider) ?? ProviderSettings.Empty(t.Provider);
            try
            {
                results.Add((t, await type.ResolveAsync(t, settings, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception e) when (e is not SimianException and not OperationCanceledException)
            {
                throw new ProviderException($"cannot resolve target '{t.Name}' ({t.Type}): {Redaction.Text(e.Message)}", e);
            }
        }
        // With shared state, who holds each matched cloud resource now (a run on any machine).
        var held = new Dictionary<(string, string, string), string>();
        if (shared is not null)
        {
            var lockable = results.Where(x => context.Services.Registry.TargetType(x.Target.Type)!.Traits.Scoped)
                .SelectMany(x => x.Matched.Select(r => new Simian.Core.Shared.LockTarget(x.Target.Type, r))).ToList();
            try
            {
                foreach (var (target, holder) in await shared.HoldersAsync(lockable, null, cancellationToken).ConfigureAwait(false))
                {
                    held[(target.Type, target.Resource.Scope, target.Resource.Id)] = holder;
                }
            }
            catch (Simian.Core.Shared.SharedStateException e)
            {
                throw new ProviderException($"cannot read the shared state {shared.Location}: {Redaction.Text(e.Message)}", e);
            }
        }
        string? HeldBy(TargetSpec t, Resource r) => held.GetValueOrDefault((t.Type, r.Scope, r.Id));
        if (output == "json")
        {
            await context.Stdout.WriteLineAsync(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("experiment", experiment.Name);
                w.WriteStartArray("targets");
                foreach (var (t, matched) in results)
                {
                    w.WriteStartObject();
                    w.WriteString("name", t.Name);
                    w.WriteString("type", t.Type);
                    w.WriteNumber("matched", matched.Count);
                    w.WriteStartArray("resources");
                    foreach (var r in matched.OrderBy(r => r.Id, StringComparer.Ordinal))
                    {
                        w.WriteStartObject();
                        w.WriteString("id", r.Id);
                        if (r.Label is not null) w.WriteString("label", r.Label);
                        if (r.Region is not null) w.WriteString("region", r.Region);
                        if (r.Zone is not null) w.WriteString("zone", r.Zone);
                        if (r.Tags is not null)
                        {
                            w.WriteStartObject("tags");
                            foreach (var (k, v) in r.Tags.OrderBy(x => x.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                            w.WriteEndObject();
                        }
                        var excluded = Planner.TagReason(r, experiment.Safety);
                        if (excluded is null) w.WriteNull("excluded"); else w.WriteString("excluded", excluded);
                        if (shared is not null)
                        {
                            if (HeldBy(t, r) is { } holder) w.WriteString("heldBy", holder); else w.WriteNull("heldBy");
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        foreach (var (t, matched) in results)
        {
            await context.Stdout.WriteLineAsync($"{t.Name} ({t.Type}): {matched.Count} match(es)").ConfigureAwait(false);
            foreach (var r in matched.OrderBy(r => r.Id, StringComparer.Ordinal))
            {
                var excluded = Planner.TagReason(r, experiment.Safety);
                var holder = HeldBy(t, r);
                await context.Stdout.WriteLineAsync($"  {r.Id}{(r.Label is null ? "" : "  " + r.Label)}{(excluded is null ? "" : $"  (excluded: {excluded})")}"
                    + (holder is null ? "" : $"  (held by {holder})")).ConfigureAwait(false);
            }
        }
        return ExitCodes.Ok;
    }
}
