using System.CommandLine;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Shared;

namespace Simian.Cli.Commands;

/// <summary>
/// <c>--state</c> and <c>--state-endpoint</c> on plan, run, recover and targets. A folder (or nothing) keeps state on
/// this machine, as always; <c>s3://BUCKET/PREFIX</c> shares it with a team: locks every machine sees, journals any
/// machine can recover from (see docs/team-state.md). The per-user state folder still holds the local journal.
/// </summary>
public static class StateInput
{
    /// <summary>What a verb works with: the local state folder, and the shared state when there is one.</summary>
    public sealed record Resolved(StatePaths Local, ISharedState? Shared);

    public static Option<string?> StateOption() => new("--state")
    {
        Description = "Where state lives: a folder, or s3://BUCKET/PREFIX shared by a team (locks and journals every machine sees). Default: $SIMIAN_STATE, else the per-user state folder",
    };

    public static Option<string?> EndpointOption() => new("--state-endpoint")
    {
        Description = "An S3-compatible endpoint for --state s3://… (e.g. the sandbox). Default: $SIMIAN_STATE_ENDPOINT, else AWS",
    };

    public static Resolved Resolve(CliContext context, string? state, string? endpoint)
    {
        var s = context.Services;
        state = state is { Length: > 0 } ? state : s.Env("SIMIAN_STATE") is { Length: > 0 } fromEnv ? fromEnv : null;
        endpoint = endpoint is { Length: > 0 } ? endpoint : s.Env("SIMIAN_STATE_ENDPOINT") is { Length: > 0 } e ? e : null;
        if (state is null)
        {
            if (endpoint is not null) throw new InvalidInputException("--state-endpoint needs --state s3://BUCKET/PREFIX");
            return new Resolved(s.State, null);
        }
        if (!state.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            if (endpoint is not null) throw new InvalidInputException("--state-endpoint applies only to --state s3://BUCKET/PREFIX");
            if (state.Contains("://", StringComparison.Ordinal)) throw new InvalidInputException($"--state '{state}': only s3:// URIs and folders are state locations");
            return new Resolved(new StatePaths(Path.GetFullPath(state)), null);
        }
        return new Resolved(s.State, s.OpenSharedState(state, endpoint));
    }

    /// <summary>
    /// The plan with one more guard verdict, <c>sharedLocks</c>: no selected cloud target is held by a run on any
    /// machine. A shared state that cannot be read refuses (fail closed).
    /// </summary>
    public static async Task<Plan> CheckSharedLocksAsync(Plan plan, ISharedState? shared, CancellationToken cancellationToken)
    {
        if (shared is null) return plan;
        GuardVerdict verdict;
        try
        {
            var holders = await shared.HoldersAsync(LockTarget.Of(plan), null, cancellationToken).ConfigureAwait(false);
            verdict = holders.Count == 0
                ? new GuardVerdict("sharedLocks", true, $"no selected target is held by a run on any machine ({shared.Location})")
                : new GuardVerdict("sharedLocks", false, $"not running: held by another run in progress: {string.Join(", ", holders.Select(h => $"{h.Key} ({h.Value})"))}");
        }
        catch (SharedStateException e)
        {
            verdict = new GuardVerdict("sharedLocks", false, $"cannot read the shared state, so cannot tell whether another run holds a target: {Redaction.Text(e.Message)}");
        }
        return plan with { Guard = [.. plan.Guard, verdict] };
    }
}
