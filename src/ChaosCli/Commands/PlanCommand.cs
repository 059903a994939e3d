using System.CommandLine;
using Simian.Cli.Output;
using Simian.Core;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Safety;

namespace Simian.Cli.Commands;

/// <summary><c>simian plan &lt;profile&gt;</c>: resolve targets read-only and show the blast radius and every guard verdict.</summary>
public static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var profile = new Argument<string>("profile") { Description = "Experiment profile" };
        var output = OutputFormat.CreateOption();
        var outFile = new Option<string?>("--out") { Description = "Also write the plan as JSON to this file (for approval and `run --plan`)" };
        var seed = SeedOption();
        var param = ProfileInput.ParamOption();
        var state = StateInput.StateOption();
        var stateEndpoint = StateInput.EndpointOption();
        var command = new Command("plan", "Show exactly what a run would hit, against which limits, changing nothing") { profile, output, outFile, seed, param, state, stateEndpoint };
        command.SetAction(async (parse, ct) =>
            await RunAsync(context, parse.GetValue(profile)!, parse.GetValue(output)!, parse.GetValue(outFile), parse.GetValue(seed), ct,
                parse.GetValue(param), parse.GetValue(state), parse.GetValue(stateEndpoint)).ConfigureAwait(false));
        return command.WithExamples("simian plan chaos-profiles/chaos-monkey.yaml", "simian plan chaos-profiles/zone-outage.yaml --param zone=us-east-1c --out zone.plan.json", "simian plan chaos-profiles/s3-outage.yaml --output json --state s3://team-state/game-days");
    }

    public static Option<long?> SeedOption() => new("--seed")
    {
        Description = "Seed for random target picks, so a selection can be reproduced",
    };

    public static async Task<int> RunAsync(CliContext context, string profilePath, string output, string? outFile, long? seed, CancellationToken cancellationToken,
        string[]? parameters = null, string? state = null, string? stateEndpoint = null)
    {
        // The seed is chosen first: it picks the parameters' values as well as the targets.
        var chosenSeed = seed ?? context.Services.NewSeed();
        var experiment = ProfileInput.Load(context, profilePath, ProfileInput.Parameters(parameters, chosenSeed));
        if (outFile is not null) OutputFile.Check(outFile, "--out");
        var shared = StateInput.Resolve(context, state, stateEndpoint).Shared;
        var plan = await MakeAsync(context, experiment, chosenSeed, cancellationToken).ConfigureAwait(false);
        plan = await StateInput.CheckSharedLocksAsync(plan, shared, cancellationToken).ConfigureAwait(false);
        if (outFile is not null)
        {
            Json.WriteOwnerOnly(outFile, stream =>
            {
                PlanJson.Write(stream, plan);
                stream.WriteByte((byte)'\n');
            }, "--out");
        }
        if (output == "json")
        {
            PlanJson.Write(context.Stdout, plan);
            await context.Stdout.WriteAsync('\n').ConfigureAwait(false);
        }
        else
        {
            await context.Stdout.WriteAsync(PlanText.Write(plan)).ConfigureAwait(false);
        }
        return plan.Allowed ? ExitCodes.Ok : ExitCodes.Refused;
    }

    public static Task<Plan> MakeAsync(CliContext context, Experiment experiment, long seed, CancellationToken cancellationToken)
    {
        var s = context.Services;
        var planner = new Planner(s.Registry, SafetyGuard.Default(), s.Time, new TargetLocks(s.LockNamespace));
        return planner.PlanAsync(experiment, seed, cancellationToken);
    }
}
