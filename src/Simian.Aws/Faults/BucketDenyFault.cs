using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Simian.Aws.Clients;
using Simian.Aws.S3;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary>
/// <c>bucket-deny</c>: adds one Deny statement of Simian's own to the bucket policy, exempting the identity
/// running the experiment so it can never lock itself out. Params: <c>actions</c> (default <c>s3:*Object*</c>,
/// <c>s3:ListBucket</c>; each must exist in S3's action list, and none may cover the bucket-policy operations the
/// undo needs), <c>exempt</c> (more principal ARNs kept allowed, e.g. an on-call role) and <c>denyServices</c>
/// (default false: AWS service principals such as log delivery, CloudTrail and replication carry no
/// aws:PrincipalArn, so without this they would be denied too and their writes silently lost). Undo puts the
/// original policy back byte for byte (or deletes it if there was none), but only while Simian's statement is
/// still there: a later change by someone else is never overwritten.
/// <para>
/// The statement expires on S3 itself (<c>"DateLessThan": {"aws:CurrentTime": ...}</c>) <c>providers.aws.faultTtl</c>
/// (default 15m) after it was last renewed; the run renews it every third of that while it holds the fault, so a run
/// that dies leaves a deny that S3 stops enforcing on its own, even if nobody ever runs recover.
/// </para>
/// </summary>
internal sealed class BucketDenyFault(AwsSessions sessions) : IFault, IKeepAliveFault
{
    private const string Actions = "actions";
    private const string Exempt = "exempt";
    private const string DenyServices = "denyServices";

    public static readonly IReadOnlyList<string> DefaultActions = ["s3:*Object*", "s3:ListBucket"];

    public string Name => "bucket-deny";

    public IReadOnlyList<string> ParameterKeys { get; } = [Actions, Exempt, DenyServices];

    public string Summary => "deny S3 actions on the bucket to everyone but the caller (param actions); undo restores the policy";

    public bool Reversible => true;

    /// <summary>The step's params: the actions denied (the default when left out), extra exempt principals, and whether service principals are denied too.</summary>
    public sealed record Parameters(IReadOnlyList<string> Actions, IReadOnlyList<string> Exempt, bool DenyServices);

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, "bucket-deny params", ParameterKeys, Read);

    private Parameters Params(YMapping parameters) => FaultParameters.Get(parameters, "bucket-deny params", ParameterKeys, Read);

    private static Parameters Read(MapReader r)
    {
        var diagnostics = r.Diagnostics;
        var denyServices = r.Boolean(DenyServices) == true;
        var exempt = r.StringList(Exempt);
        if (exempt is not null)
        {
            var exemptItems = ((YSequence)r.Raw(Exempt)!).Items;
            for (var i = 0; i < exempt.Count && i < exemptItems.Count; i++)
            {
                if (!IsPrincipalArn(exempt[i]))
                {
                    diagnostics.Error(exemptItems[i].Location,
                        $"'{exempt[i]}' is not a principal ARN (like arn:aws:iam::123456789012:role/OnCall); wildcards * and ? are allowed");
                }
            }
        }
        var actions = r.StringList(Actions);
        if (actions is not null)
        {
            if (actions.Count == 0) diagnostics.Error(r.LocationOf(Actions), "'actions' must not be empty (leave it out for the default)");
            var items = ((YSequence)r.Raw(Actions)!).Items;
            for (var i = 0; i < actions.Count && i < items.Count; i++)
            {
                if (ActionError(actions[i]) is { } error) diagnostics.Error(items[i].Location, error);
            }
        }
        return new(actions is { Count: > 0 } ? actions : DefaultActions, exempt ?? [], denyServices);
    }

    /// <summary>Why an action cannot be denied: not S3's, unknown to S3 (with a did-you-mean), or covering what the undo needs.</summary>
    internal static string? ActionError(string action)
    {
        if (!IsS3Action(action)) return $"'{action}' is not an S3 action (like s3:GetObject or s3:*Object*)";
        if (Simian.Shared.S3Actions.PolicyOperationsCovered(action) is { Count: > 0 } covered)
        {
            return $"'{action}' would also deny {string.Join(", ", covered)}, which undoing the fault needs " +
                "(and `simian recover` run by anyone not exempt); name the actions to deny instead, e.g. s3:*Object* or s3:GetObject";
        }
        if (!Simian.Shared.S3Actions.Exists(action))
        {
            return Simian.Shared.S3Actions.Suggest(action) is { } near
                ? $"'{action}' is not an S3 action; did you mean {near}?"
                : $"'{action}' matches no S3 action (see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)";
        }
        return null;
    }

    private static bool IsPrincipalArn(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[0] == "arn" && parts[1].Length > 0 && parts[2] is "iam" or "sts" or "*" && parts[5].Length > 0;
    }

    public string? ExpiresOnItsOwn(IReadOnlyDictionary<string, string> settings) =>
        $"S3 stops enforcing the deny {Simian.Core.Profiles.Duration.Format(AwsSettings.FaultTtl(settings))} after the last renewal (providers.aws.faultTtl); the statement itself stays until an undo removes it";

    public TimeSpan KeepAliveInterval(FaultContext context) => TimeSpan.FromTicks(AwsSettings.FaultTtl(context.Settings.Values).Ticks / 3);

    /// <summary>Moves the statement's expiry forward; a statement no longer there (someone removed it) is left gone.</summary>
    public async Task KeepAliveAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var record = Record.From(undo, context.Resource.Id);
        var session = sessions.Get(context.Settings.Values);
        var current = await S3Buckets.PolicyAsync(session, record.Bucket, record.Region, record.Owner, cancellationToken).ConfigureAwait(false);
        var expires = context.Time.GetUtcNow() + AwsSettings.FaultTtl(context.Settings.Values);
        if (BucketPolicyDocument.WithExpiry(current, record.Sid, expires) is not { } renewed) return;
        await S3Buckets.PutPolicyAsync(session, record.Bucket, record.Region, record.Owner, renewed,
            $"cannot renew the deny on bucket '{record.Bucket}'", cancellationToken).ConfigureAwait(false);
    }

    public string Describe(YMapping parameters, TimeSpan? duration)
    {
        var p = Params(parameters);
        var exempt = p.Exempt.Count > 0 ? $" and {string.Join(", ", p.Exempt)}" : "";
        var services = p.DenyServices ? " (AWS service principals too)" : " (not AWS service principals: log delivery, CloudTrail, replication)";
        return $"deny {string.Join(", ", p.Actions)} on the bucket to everyone but the caller{exempt}{services}; undo restores the policy";
    }

    public async Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var session = sessions.Get(context.Settings.Values);
        var parameters = Params(context.Parameters);
        var bucket = context.Resource.Id;
        var region = context.Resource.Region ?? session.Region;
        var caller = await session.CallerAsync(cancellationToken).ConfigureAwait(false);
        // Every policy call names the account that must own the bucket: S3 refuses it for anyone else's bucket.
        var owner = context.Resource.Account ?? caller.Account;
        var original = await S3Buckets.PolicyAsync(session, bucket, region, owner, cancellationToken).ConfigureAwait(false);
        var sid = Sid(context.RunId, context.StepName);
        if (BucketPolicyDocument.HasStatement(original, sid))
        {
            throw new ProviderException($"bucket '{bucket}' already carries statement {sid}; not adding it twice");
        }
        string applied;
        try
        {
            applied = BucketPolicyDocument.Merge(original, sid, caller.Partition, bucket, parameters.Actions, ExemptOf(parameters, caller),
                denyServices: parameters.DenyServices, expires: context.Time.GetUtcNow() + AwsSettings.FaultTtl(context.Settings.Values));
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw new ProviderException($"cannot read the current policy of bucket '{bucket}' ({e.Message}); not changing it", e);
        }
        // The exact original text goes to the journal, so recover can put it back after a crash.
        return UndoRecords.Write(new Record
        {
            Bucket = bucket,
            Region = region,
            Owner = owner,
            Sid = sid,
            HadPolicy = original is not null,
            Original = original,
            Applied = applied,
            // Who applied it and who stays allowed: `recover` by someone else can tell whether the deny covers them.
            AppliedBy = caller.Arn,
            Exempt = ExemptOf(parameters, caller),
        }, BucketDenyJson.Default.Record);
    }

    public async Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var record = Record.From(undo, context.Resource.Id);
        var size = BucketPolicyDocument.Size(record.Applied);
        if (size > BucketPolicyDocument.MaxBytes)
        {
            throw new ProviderException(
                $"not denying access to bucket '{record.Bucket}': the policy with the deny statement would be {size} bytes, "
                + $"over S3's limit of {BucketPolicyDocument.MaxBytes} bytes (20 KiB); nothing was changed");
        }
        var session = sessions.Get(context.Settings.Values);
        var current = await S3Buckets.PolicyAsync(session, record.Bucket, record.Region, record.Owner, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(current, record.Original, StringComparison.Ordinal))
        {
            throw new ProviderException($"the policy of bucket '{record.Bucket}' changed since it was read; not changing it");
        }
        await S3Buckets.PutPolicyAsync(session, record.Bucket, record.Region, record.Owner, record.Applied,
            $"cannot set the policy of bucket '{record.Bucket}'", cancellationToken).ConfigureAwait(false);
    }

    public async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var record = Record.From(context.Undo, context.ResourceId);
        var session = sessions.Get(context.Settings);
        await NoteExemptionAsync(session, context, record, cancellationToken).ConfigureAwait(false);
        var current = await S3Buckets.PolicyAsync(session, record.Bucket, record.Region, record.Owner, cancellationToken, undo: true).ConfigureAwait(false);
        // Our statement is gone: never applied, already undone, or someone changed the policy since. Leave it be.
        if (!BucketPolicyDocument.HasStatement(current, record.Sid)) return UndoOutcome.NothingToUndo;

        // Renewals move only our statement's expiry: what is left without it is compared, not the whole document.
        var rest = BucketPolicyDocument.Without(current!, record.Sid);
        string? restore;
        if (BucketPolicyDocument.SameDocument(rest, BucketPolicyDocument.Without(record.Applied, record.Sid)))
        {
            // Exactly the original, byte for byte (or no policy at all when there was none).
            restore = record.Original;
        }
        else
        {
            // Someone changed the policy and kept our statement: take out only ours, keep their change.
            restore = rest;
        }
        var what = $"cannot restore the policy of bucket '{record.Bucket}'";
        if (restore is null)
        {
            await S3Buckets.DeletePolicyAsync(session, record.Bucket, record.Region, record.Owner, what, cancellationToken, undo: true).ConfigureAwait(false);
        }
        else
        {
            await S3Buckets.PutPolicyAsync(session, record.Bucket, record.Region, record.Owner, restore, what, cancellationToken, undo: true).ConfigureAwait(false);
        }
        return UndoOutcome.Restored;
    }

    /// <summary>
    /// When someone other than the identity that applied the deny undoes it (an on-call running `recover`), says whether
    /// the deny covers them. The undo works either way: the deny never covers the bucket-policy calls.
    /// </summary>
    private static async Task NoteExemptionAsync(AwsSession session, UndoContext context, Record record, CancellationToken cancellationToken)
    {
        if (context.Note is not { } note || record.AppliedBy is not { } appliedBy) return;
        Identity.CallerIdentity caller;
        try
        {
            caller = await session.CallerAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException)
        {
            return;
        }
        if (caller.Arn == appliedBy) return;
        var covered = !caller.PrincipalArns.Any(arn => record.Exempt.Any(pattern => Simian.Shared.S3Actions.Glob(pattern, arn, ignoreCase: false)));
        note($"bucket '{record.Bucket}': the deny was applied by {appliedBy}; {caller.Arn} is " +
            (covered ? "not exempt from it, so it is denied until the policy is restored (the undo itself is never denied)" : "exempt from it"));
    }

    /// <summary>A statement id of our own for this run and step: letters and digits only, as IAM allows.</summary>
    internal static string Sid(string runId, string stepName)
    {
        var text = new StringBuilder("SimianDeny");
        foreach (var c in runId + stepName)
        {
            if (char.IsAsciiLetterOrDigit(c)) text.Append(c);
        }
        return text.Length > 100 ? text.ToString(0, 100) : text.ToString();
    }

    /// <summary>The caller's own principals and the params' extra ones: who the deny leaves alone.</summary>
    private static IReadOnlyList<string> ExemptOf(Parameters parameters, Identity.CallerIdentity caller) =>
        caller.PrincipalArns.Concat(parameters.Exempt).Distinct(StringComparer.Ordinal).ToList();

    private static bool IsS3Action(string action) =>
        action.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) && action.Length > 3
        && action[3..].All(c => char.IsAsciiLetterOrDigit(c) || c is '*' or '?');

    /// <summary>The journaled undo record: where the bucket is, our statement, the exact policy before and after.</summary>
    internal sealed record Record
    {
        public required string Bucket { get; init; }
        public required string Region { get; init; }
        /// <summary>Null in journals written before the owner was recorded: then no ExpectedBucketOwner is sent.</summary>
        public string? Owner { get; init; }
        public required string Sid { get; init; }
        public bool HadPolicy { get; init; }
        /// <summary>The policy's exact text before, or null when there was none.</summary>
        public string? Original { get; init; }
        public required string Applied { get; init; }
        public string? AppliedBy { get; init; }
        public IReadOnlyList<string> Exempt { get; init; } = [];

        public static Record From(JsonObject undo, string bucket) =>
            UndoRecords.Read(undo, BucketDenyJson.Default.Record, $"bucket '{bucket}'");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BucketDenyFault.Record))]
internal sealed partial class BucketDenyJson : JsonSerializerContext;
