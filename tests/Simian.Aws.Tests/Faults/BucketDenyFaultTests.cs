using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.Faults;

public sealed class BucketDenyFaultTests
{
    private const string Type = "aws:s3:bucket";
    private const string Sid = "SimianDenyrun1step";

    /// <summary>Odd whitespace, tabs, key order and an escape: restoring must give back exactly these bytes.</summary>
    private const string OddPolicy = "{\n\t\"Statement\" :[ {\"Sid\":\"DevReads\",  \"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/dev\"},\r\n"
        + "      \"Effect\": \"Allow\" , \"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::site-assets/\\u002a\"} ],\n  \"Version\":\"2012-10-17\"   }\n";

    private static Fleet WithPolicy(string? policy)
    {
        var fleet = TestFleets.Extended();
        fleet.Buckets.Single(b => b.Name == "site-assets").Policy = policy;
        return fleet;
    }

    private static async Task<HttpStatusCode> GetAsync(IAmazonS3 s3)
    {
        try
        {
            using var answer = await s3.GetObjectAsync("site-assets", "index.html");
            return answer.HttpStatusCode;
        }
        catch (AmazonS3Exception e)
        {
            Assert.Equal("AccessDenied", e.ErrorCode);
            return e.StatusCode;
        }
    }

    private static async Task<HttpStatusCode> ListAsync(IAmazonS3 s3)
    {
        try
        {
            return (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "site-assets" })).HttpStatusCode;
        }
        catch (AmazonS3Exception e)
        {
            Assert.Equal("AccessDenied", e.ErrorCode);
            return e.StatusCode;
        }
    }

    private static async Task<(IFault Fault, FaultContext Context, JsonObject Undo)> DenyAsync(AwsSandbox sandbox, string parameters = "{}")
    {
        var fault = sandbox.Fault(Type, "bucket-deny");
        var ctx = sandbox.Context(await sandbox.BucketAsync("site-assets"), parameters);
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        return (fault, ctx, undo);
    }

    [Fact(Timeout = 30_000)]
    public async Task Deny_blocks_other_identities_but_never_the_caller_and_undo_deletes_a_policy_that_was_not_there()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var dev = sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret);
        var caller = sandbox.S3As(TestFleets.GameDayKey, TestFleets.GameDaySecret);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(dev));

        var (fault, ctx, undo) = await DenyAsync(sandbox);
        Assert.False(undo["hadPolicy"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(dev));
        Assert.Equal(HttpStatusCode.Forbidden, await ListAsync(dev));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(caller));
        Assert.Equal(HttpStatusCode.OK, await ListAsync(caller));

        // The caller is an assumed-role session: the exemption names its role, under any path.
        var statement = JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!["Statement"]![0]!;
        Assert.Equal(Sid, statement["Sid"]!.GetValue<string>());
        Assert.Equal("*", statement["Principal"]!.GetValue<string>());
        Assert.Equal(["s3:*Object*", "s3:ListBucket"], statement["Action"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["arn:aws:s3:::site-assets", "arn:aws:s3:::site-assets/*"], statement["Resource"]!.AsArray().Select(a => a!.GetValue<string>()));
        var exempt = statement["Condition"]!["StringNotLike"]!["aws:PrincipalArn"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal([TestFleets.GameDayRoleArn, "arn:aws:iam::123456789012:role/*/GameDay"], exempt);

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Null(sandbox.State.BucketPolicy("site-assets"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(dev));
        Assert.Equal(1, sandbox.State.CallCounts()["s3:DeleteBucketPolicy"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Undo_restores_the_original_policy_byte_for_byte_and_twice_is_safe()
    {
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(OddPolicy));
        // What S3 stores (and GetBucketPolicy returns) is the document without whitespace between tokens: that,
        // exactly, is what undo must put back.
        var stored = sandbox.State.BucketPolicy("site-assets")!;
        Assert.NotEqual(OddPolicy, stored);
        var (fault, ctx, undo) = await DenyAsync(sandbox);
        Assert.Equal(stored, undo["original"]!.GetValue<string>());
        var applied = JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!;
        Assert.Equal("DevReads", applied["Statement"]![0]!["Sid"]!.GetValue<string>());
        Assert.Equal(Sid, applied["Statement"]![1]!["Sid"]!.GetValue<string>());

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(sandbox.State.BucketPolicy("site-assets")!));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(stored, sandbox.State.BucketPolicy("site-assets"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Undo_never_overwrites_a_later_change_that_removed_our_statement()
    {
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(OddPolicy));
        var (fault, ctx, undo) = await DenyAsync(sandbox);
        const string theirs = """{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::site-assets/*"}]}""";
        await sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret).PutBucketPolicyAsync("site-assets", theirs);

        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(theirs, sandbox.State.BucketPolicy("site-assets"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Undo_after_a_later_change_that_kept_our_statement_removes_only_ours()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var (fault, ctx, undo) = await DenyAsync(sandbox);
        var changed = JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!.AsObject();
        changed["Statement"]!.AsArray().Add(JsonNode.Parse("""{"Sid":"Later","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::site-assets/*"}"""));
        await sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret).PutBucketPolicyAsync("site-assets", changed.ToJsonString());

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        var left = JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!["Statement"]!.AsArray();
        Assert.Equal("Later", Assert.Single(left)!["Sid"]!.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_merged_policy_over_20_KiB_is_refused_and_nothing_changes()
    {
        // Compact JSON just under S3's limit: one more statement pushes it over.
        var statements = new List<string>();
        string big;
        do
        {
            statements.Add($$"""{"Sid":"S{{statements.Count:D3}}","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::site-assets/p{{statements.Count:D3}}/*"}""");
            big = """{"Version":"2012-10-17","Statement":[""" + string.Join(",", statements) + "]}";
        }
        while (Encoding.UTF8.GetByteCount(big) < 20 * 1024 - 150);
        Assert.InRange(Encoding.UTF8.GetByteCount(big), 20 * 1024 - 150, 20 * 1024);
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(big));
        var fault = sandbox.Fault(Type, "bucket-deny");
        var ctx = sandbox.Context(await sandbox.BucketAsync("site-assets"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());

        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout()));
        Assert.StartsWith("not denying access to bucket 'site-assets': the policy with the deny statement would be ", e.Message);
        Assert.EndsWith("over S3's limit of 20480 bytes (20 KiB); nothing was changed", e.Message);
        Assert.Equal(big, sandbox.State.BucketPolicy("site-assets"));
        Assert.False(sandbox.State.CallCounts().ContainsKey("s3:PutBucketPolicy"));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Apply_refuses_when_the_policy_changed_after_capture()
    {
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(OddPolicy));
        var fault = sandbox.Fault(Type, "bucket-deny");
        var ctx = sandbox.Context(await sandbox.BucketAsync("site-assets"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret).DeleteBucketPolicyAsync("site-assets");

        var e = await Assert.ThrowsAsync<ProviderException>(() => fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout()));
        Assert.Equal("the policy of bucket 'site-assets' changed since it was read; not changing it", e.Message);
        Assert.Null(sandbox.State.BucketPolicy("site-assets"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Recover_restores_the_policy_from_the_undo_record_alone_with_a_fresh_provider()
    {
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(OddPolicy));
        var stored = sandbox.State.BucketPolicy("site-assets");
        var (_, ctx, undo) = await DenyAsync(sandbox, "actions: [s3:GetObject]");
        Assert.NotEqual(stored, sandbox.State.BucketPolicy("site-assets"));

        var fresh = sandbox.Fault(Type, "bucket-deny", sandbox.NewProvider());
        var recover = new UndoContext("run1", "site-assets", new Dictionary<string, string>(), sandbox.Undo(ctx, undo).Undo,
            new Dictionary<string, string> { ["region"] = "us-east-1", ["endpoint"] = sandbox.Endpoint }, TimeProvider.System);
        Assert.Equal(UndoOutcome.Restored, await fresh.UndoAsync(recover, AwsSandbox.Timeout()));
        Assert.Equal(stored, sandbox.State.BucketPolicy("site-assets"));
    }

    /// <summary>
    /// recover run by someone else: the undo says who applied the deny and whether the one undoing it is exempt, and
    /// restores the policy either way (the deny never covers the bucket-policy calls).
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task Undo_by_another_identity_says_whether_it_is_exempt_and_restores()
    {
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(null));
        var (_, ctx, undo) = await DenyAsync(sandbox);

        var asDeveloper = new AwsProvider(TimeProvider.System,
            name => name switch { "AWS_ACCESS_KEY_ID" => TestFleets.DevKey, "AWS_SECRET_ACCESS_KEY" => TestFleets.DevSecret, _ => null }, AwsSandbox.FastOptions);
        var notes = new List<string>();
        var recover = sandbox.Undo(ctx, undo) with { Note = notes.Add };
        Assert.Equal(UndoOutcome.Restored, await sandbox.Fault(Type, "bucket-deny", asDeveloper).UndoAsync(recover, AwsSandbox.Timeout()));
        var note = Assert.Single(notes);
        Assert.Equal($"bucket 'site-assets': the deny was applied by {TestFleets.GameDayArn}; {TestFleets.DevArn} is not exempt from it, " +
            "so it is denied until the policy is restored (the undo itself is never denied)", note);
        Assert.Null(sandbox.State.BucketPolicy("site-assets"));

        // The same identity that applied it is told nothing.
        await using var again = await AwsSandbox.StartAsync(WithPolicy(null));
        var (fault, ctx2, undo2) = await DenyAsync(again, $"exempt: ['{TestFleets.DevArn}']");
        var quiet = new List<string>();
        await fault.UndoAsync(again.Undo(ctx2, undo2) with { Note = quiet.Add }, AwsSandbox.Timeout());
        Assert.Empty(quiet);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_user_caller_is_exempted_by_its_user_arn_and_custom_actions_are_denied()
    {
        await using var sandbox = await AwsSandbox.StartAsync(accessKey: TestFleets.DevKey, secret: TestFleets.DevSecret);
        await DenyAsync(sandbox, "actions: [s3:GetObject]");
        var statement = JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!["Statement"]![0]!;
        Assert.Equal([TestFleets.DevArn], statement["Condition"]!["StringNotLike"]!["aws:PrincipalArn"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["s3:GetObject"], statement["Action"]!.AsArray().Select(a => a!.GetValue<string>()));

        var gameDay = sandbox.S3As(TestFleets.GameDayKey, TestFleets.GameDaySecret);
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gameDay));
        Assert.Equal(HttpStatusCode.OK, await ListAsync(gameDay));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret)));
    }

    [Fact]
    public void Actions_must_be_s3_actions()
    {
        var fault = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type).Faults.Single();
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("actions: [s3:GetObject, 'ec2:*']"), d)),
            e => e.StartsWith("1:25: ", StringComparison.Ordinal) && e.Contains("'ec2:*' is not an S3 action"));
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("action: [s3:GetObject]"), d)), e => e.Contains("did you mean 'actions'"));
        Assert.Empty(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("actions: ['s3:*Object*']"), d)));
        Assert.Equal("deny s3:*Object*, s3:ListBucket on the bucket to everyone but the caller (not AWS service principals: log delivery, CloudTrail, replication); undo restores the policy",
            fault.Describe(Yaml.Map("{}"), null));
    }

    /// <summary>
    /// Actions are checked against S3's action list
    /// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html): a misspelt one is
    /// caught by validate, with the nearest real action, instead of failing at inject on a real account.
    /// </summary>
    [Theory]
    [InlineData("s3:GetObjekt", "'s3:GetObjekt' is not an S3 action; did you mean s3:GetObject?")]
    [InlineData("s3:ListBuckets", "'s3:ListBuckets' is not an S3 action; did you mean s3:ListBucket?")]
    [InlineData("s3:Frobnicate*", "'s3:Frobnicate*' matches no S3 action")]
    public void Actions_must_exist_in_S3(string action, string error)
    {
        var fault = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type).Faults.Single(f => f.Name == "bucket-deny");
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map($"actions: ['{action}']"), d)), e => e.Contains(error, StringComparison.Ordinal));
    }

    /// <summary>A deny that covers Get/Put/DeleteBucketPolicy could lock the undo (or anyone's recover) out: refused by validate.</summary>
    [Theory]
    [InlineData("s3:*")]
    [InlineData("s3:*Policy*")]
    [InlineData("s3:Put*")]
    [InlineData("s3:*Bucket*")]
    [InlineData("s3:deletebucketpolicy")]
    public void Actions_that_cover_the_policy_operations_are_refused(string action)
    {
        var fault = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type).Faults.Single(f => f.Name == "bucket-deny");
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map($"actions: ['{action}']"), d)),
            e => e.Contains($"'{action}' would also deny s3:", StringComparison.Ordinal) && e.Contains("which undoing the fault needs", StringComparison.Ordinal));
    }

    [Fact]
    public void Exempt_must_list_principal_arns_and_denyServices_a_boolean()
    {
        var fault = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type).Faults.Single(f => f.Name == "bucket-deny");
        Assert.Empty(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("exempt: ['arn:aws:iam::123456789012:role/OnCall', 'arn:aws:iam::123456789012:role/Ops*']\ndenyServices: true"), d)));
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("exempt: [OnCall]"), d)), e => e.Contains("'OnCall' is not a principal ARN", StringComparison.Ordinal));
        Assert.Contains(Yaml.Errors(d => fault.ValidateParams(Yaml.Map("denyServices: sometimes"), d)), e => e.Contains("denyServices", StringComparison.Ordinal));
    }

    /// <summary>
    /// Requests by AWS service principals carry no aws:PrincipalArn, so the exemption alone would deny them: the
    /// statement leaves them out unless denyServices is set
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalservicename).
    /// The undo record names who applied it and who is exempt, and an exempt on-call role keeps its access.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task Service_principals_and_listed_principals_are_left_out_and_the_record_names_them()
    {
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(null));
        var (fault, ctx, undo) = await DenyAsync(sandbox, $"exempt: ['{TestFleets.DevArn}']");
        var statement = JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!["Statement"]![0]!;
        var exempt = statement["Condition"]!["StringNotLike"]!["aws:PrincipalArn"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Contains(TestFleets.GameDayRoleArn, exempt);
        Assert.Equal(TestFleets.DevArn, exempt[^1]);
        Assert.Equal("""{"aws:PrincipalServiceName":"true"}""", statement["Condition"]!["Null"]!.ToJsonString());
        Assert.Equal(TestFleets.GameDayArn, undo["appliedBy"]!.GetValue<string>());
        Assert.Contains(TestFleets.DevArn, undo["exempt"]!.AsArray().Select(a => a!.GetValue<string>()));
        // The exempt developer still reads; the sandbox evaluates the same statement S3 would.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret)));
        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));

        await using var strict = await AwsSandbox.StartAsync(WithPolicy(null));
        await DenyAsync(strict, "denyServices: true");
        Assert.Null(JsonNode.Parse(strict.State.BucketPolicy("site-assets")!)!["Statement"]![0]!["Condition"]!["Null"]);
    }

    /// <summary>
    /// The deny carries its own expiry (<c>DateLessThan aws:CurrentTime</c>, which S3 evaluates on every request:
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date):
    /// a run that dies leaves a deny that stops denying faultTtl after its last renewal, with nobody running recover.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task A_deny_nobody_undoes_stops_denying_at_its_expiry_and_renewals_move_it()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await AwsSandbox.StartAsync(WithPolicy(OddPolicy), o => new SandboxOptions { Fleet = o.Fleet, TimeProvider = time });
        sandbox.Settings = Yaml.Settings("aws", $"region: us-east-1\nendpoint: {sandbox.Endpoint}\nfaultTtl: 5m\n");
        var stored = sandbox.State.BucketPolicy("site-assets")!;
        var dev = sandbox.S3As(TestFleets.DevKey, TestFleets.DevSecret);
        var fault = sandbox.Fault(Type, "bucket-deny");
        var ctx = sandbox.Context(await sandbox.BucketAsync("site-assets")) with { Time = time };
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal(Simian.Aws.S3.BucketPolicyDocument.Date(time.GetUtcNow().AddMinutes(5)),
            JsonNode.Parse(sandbox.State.BucketPolicy("site-assets")!)!["Statement"]![1]!["Condition"]!["DateLessThan"]!["aws:CurrentTime"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(dev));

        // Renewed at 4 minutes: still denied at 6, past the first expiry.
        time.Advance(TimeSpan.FromMinutes(4));
        await ((IKeepAliveFault)fault).KeepAliveAsync(ctx, undo, AwsSandbox.Timeout());
        Assert.Equal(TimeSpan.FromTicks(TimeSpan.FromMinutes(5).Ticks / 3), ((IKeepAliveFault)fault).KeepAliveInterval(ctx));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(dev));

        // Nobody renews it again: S3 stops enforcing it 5 minutes after the renewal, with no undo at all.
        time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(dev));

        // The statement is still there until an undo removes it; the undo gives back the original bytes though renewed.
        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(stored, sandbox.State.BucketPolicy("site-assets"));
        Assert.Contains("\\u002a", stored);
    }

    [Fact]
    public void The_plan_says_when_the_deny_expires_on_its_own()
    {
        var fault = new Simian.Aws.Faults.BucketDenyFault(null!);
        Assert.Contains("15m after the last renewal", fault.ExpiresOnItsOwn(new Dictionary<string, string>()));
        Assert.Contains("1h after the last renewal", fault.ExpiresOnItsOwn(new Dictionary<string, string> { ["faultTtl"] = "1h" }));
    }
}
