using System.Text;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Simian.Aws.State;
using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Providers;
using Simian.Core.Shared;
using Simian.Sandbox;

namespace Simian.Aws.Tests.State;

/// <summary>
/// Team-wide locks and journals on S3's conditional writes, against the sandbox through the real SDK: one lock per
/// target, a second run refused while the first renews it, takeover only after expiry and only of a run that left
/// nothing to recover, a run that loses its lock told at once, journal lines never overwritten, one recover at a time.
/// </summary>
public sealed class S3SharedStateTests
{
    private const string Bucket = "team-state";

    private static readonly LockTarget Web = new("aws:ec2:instance", new Resource { Id = "i-0abc", Scope = "sandbox|123456789012|us-east-1" });
    private static readonly LockTarget Assets = new("aws:s3:bucket", new Resource { Id = "site-assets", Scope = "sandbox|123456789012|us-east-1" });

    private static async Task<(AwsSandbox Sandbox, FakeTimeProvider Time)> StartAsync()
    {
        var sandbox = await AwsSandbox.StartAsync();
        await sandbox.S3As(TestFleets.GameDayKey, TestFleets.GameDaySecret).PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        return (sandbox, new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    private static ISharedState Open(AwsSandbox sandbox, TimeProvider time, string lease = "1m") =>
        SharedStateLocation.Open($"s3://{Bucket}/team", sandbox.Endpoint, time, name => name switch
        {
            "AWS_ACCESS_KEY_ID" => TestFleets.GameDayKey,
            "AWS_SECRET_ACCESS_KEY" => TestFleets.GameDaySecret,
            "AWS_REGION" => "us-east-1",
            "SIMIAN_STATE_LEASE" => lease,
            _ => null,
        });

    private static RunIdentity Run(string id, string host) => new(id, "game-day", host, "oncall", 4242);

    private static IReadOnlyList<string> Keys(AwsSandbox sandbox, string under) =>
        sandbox.State.ObjectKeys(Bucket).Where(k => k.StartsWith("team/" + under, StringComparison.Ordinal)).ToList();

    [Fact(Timeout = 60_000)]
    public async Task A_second_run_is_refused_a_held_target_naming_the_holder_and_gets_it_once_released()
    {
        var (sandbox, time) = await StartAsync();
        await using var _ = sandbox;
        var state = Open(sandbox, time);
        var notes = new List<string>();

        await using var first = await state.BeginRunAsync(Run("aaaaaa000001", "laptop-a"), [Web, Assets], notes.Add, AwsSandbox.Timeout());
        Assert.Equal(2, Keys(sandbox, "locks/").Count);
        var refused = await Assert.ThrowsAsync<RefusedException>(() => state.BeginRunAsync(Run("bbbbbb000002", "ci-runner"), [Assets], notes.Add, AwsSandbox.Timeout()));
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("run aaaaaa000001 (oncall@laptop-a, pid 4242)", refused.Message);
        // The refused run left nothing behind: no lock of its own, no unfinished entry.
        Assert.Equal(["team/active/aaaaaa000001.json"], Keys(sandbox, "active/"));
        Assert.Equal(2, Keys(sandbox, "locks/").Count);

        var holders = await state.HoldersAsync([Web, Assets], null, AwsSandbox.Timeout());
        Assert.Equal(2, holders.Count);

        Assert.Empty(await first.EndAsync(leftNothing: true, AwsSandbox.Timeout()));
        Assert.Empty(Keys(sandbox, "locks/"));
        Assert.Empty(Keys(sandbox, "active/"));
        await using var second = await state.BeginRunAsync(Run("bbbbbb000002", "ci-runner"), [Assets], notes.Add, AwsSandbox.Timeout());
        Assert.Empty(notes);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_expired_lock_is_taken_over_only_when_its_run_left_nothing_to_recover_and_the_takeover_says_so()
    {
        var (sandbox, time) = await StartAsync();
        await using var _ = sandbox;
        var state = Open(sandbox, time);
        var notes = new List<string>();
        // A run that died holding its lock (its renewals stopped with it).
        var dead = await state.BeginRunAsync(Run("dddddd000001", "laptop-a"), [Assets], notes.Add, AwsSandbox.Timeout());
        await dead.DisposeAsync();

        // Not expired yet: refused.
        await Assert.ThrowsAsync<RefusedException>(() => state.BeginRunAsync(Run("eeeeee000002", "laptop-b"), [Assets], notes.Add, AwsSandbox.Timeout()));
        // Expired, but the dead run is still unfinished: its changes may still be in place, so still refused.
        time.Advance(TimeSpan.FromMinutes(2));
        var unrecovered = await Assert.ThrowsAsync<RefusedException>(() => state.BeginRunAsync(Run("eeeeee000002", "laptop-b"), [Assets], notes.Add, AwsSandbox.Timeout()));
        Assert.Contains("has not been recovered", unrecovered.Message);
        Assert.Contains("simian recover --state s3://team-state/team/", unrecovered.Message);

        // Once a recover finished it (here: its entry gone but its lock left behind), the lock may be taken over.
        var marker = Keys(sandbox, "active/").Single();
        await sandbox.S3As(TestFleets.GameDayKey, TestFleets.GameDaySecret).DeleteObjectAsync(Bucket, marker);
        await using var next = await state.BeginRunAsync(Run("eeeeee000002", "laptop-b"), [Assets], notes.Add, AwsSandbox.Timeout());
        Assert.Contains(notes, n => n.Contains("took over the lock on aws:s3:bucket site-assets from run dddddd000001", StringComparison.Ordinal));
    }

    /// <summary>
    /// Moves the renewal loop's clock a second at a time until <paramref name="condition"/> holds: the loop sets its
    /// next timer only after its last renewal's HTTP call, so one big step could land before that timer exists.
    /// </summary>
    private static Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition, string what) =>
        Wait.UntilAsync(() =>
        {
            if (condition()) return true;
            time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, TimeSpan.FromSeconds(30), what);

    [Fact(Timeout = 60_000)]
    public async Task A_run_whose_lock_was_taken_from_it_is_told_at_its_next_renewal()
    {
        var (sandbox, time) = await StartAsync();
        await using var _ = sandbox;
        var state = Open(sandbox, time, lease: "40s");
        var notes = new List<string>();
        await using var run = await state.BeginRunAsync(Run("aaaaaa000001", "laptop-a"), [Web], notes.Add, AwsSandbox.Timeout());
        // Renewals move the lock and the heartbeat forward.
        var before = sandbox.State.ObjectContent(Bucket, Keys(sandbox, "locks/").Single());
        await AdvanceUntilAsync(time, () => !sandbox.State.ObjectContent(Bucket, Keys(sandbox, "locks/").Single())!.SequenceEqual(before!), "a renewal");
        Assert.False(run.Lost.IsCancellationRequested);

        // Someone else's write replaces the lock: the next renewal's If-Match fails.
        await sandbox.S3As(TestFleets.GameDayKey, TestFleets.GameDaySecret).PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket, Key = Keys(sandbox, "locks/").Single(), ContentBody = "{\"runId\":\"ffffff000009\"}",
        });
        await AdvanceUntilAsync(time, () => run.Lost.IsCancellationRequested, "the run to learn it lost its lock");
        Assert.Contains("no longer this run's", run.LostReason);
    }

    [Fact(Timeout = 60_000)]
    public async Task Journal_lines_are_one_object_each_in_order_and_never_overwritten()
    {
        var (sandbox, time) = await StartAsync();
        await using var _ = sandbox;
        var state = Open(sandbox, time);
        await using var run = await state.BeginRunAsync(Run("aaaaaa000001", "laptop-a"), [], _ => { }, AwsSandbox.Timeout());
        run.Journal.Write("{\"event\":\"started\"}\n"u8.ToArray(), keepOnFailure: false);
        // Another writer took index 2 (a recover that thought the run dead): the next line goes after it, nothing is lost.
        await sandbox.S3As(TestFleets.GameDayKey, TestFleets.GameDaySecret).PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket, Key = "team/" + S3JournalMirror.Key("aaaaaa000001", 2), ContentBody = "{\"event\":\"recovered\"}\n",
        });
        run.Journal.Write("{\"event\":\"intent\",\"seq\":1}\n"u8.ToArray(), keepOnFailure: false);
        var lines = (await state.ReadJournalAsync("aaaaaa000001", AwsSandbox.Timeout())).Select(l => Encoding.UTF8.GetString(l)).ToList();
        Assert.Equal(["{\"event\":\"started\"}", "{\"event\":\"recovered\"}", "{\"event\":\"intent\",\"seq\":1}"], lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_one_recover_at_a_time_claims_a_run()
    {
        var (sandbox, time) = await StartAsync();
        await using var _ = sandbox;
        var state = Open(sandbox, time);
        var dead = await state.BeginRunAsync(Run("dddddd000001", "laptop-a"), [Assets], _ => { }, AwsSandbox.Timeout());
        await dead.DisposeAsync();
        Assert.Single(await state.UnfinishedRunsAsync(AwsSandbox.Timeout()));

        string? note = null;
        await using var claim = await state.ClaimRecoveryAsync("dddddd000001", Run("cccccc000003", "watchdog-1"), n => note = n, AwsSandbox.Timeout());
        Assert.NotNull(claim);
        Assert.Null(await state.ClaimRecoveryAsync("dddddd000001", Run("cccccc000004", "watchdog-2"), n => note = n, AwsSandbox.Timeout()));
        Assert.Contains("being recovered by run cccccc000003 (oncall@watchdog-1", note);

        await claim!.FinishAsync(complete: true, AwsSandbox.Timeout());
        Assert.Empty(await state.UnfinishedRunsAsync(AwsSandbox.Timeout()));
        Assert.Empty(Keys(sandbox, "locks/"));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unreachable_state_fails_closed_before_anything_is_locked()
    {
        var (sandbox, time) = await StartAsync();
        var endpoint = sandbox.Endpoint;
        await sandbox.DisposeAsync();
        var state = SharedStateLocation.Open($"s3://{Bucket}/team", endpoint, time, name => name switch
        {
            "AWS_ACCESS_KEY_ID" => TestFleets.GameDayKey,
            "AWS_SECRET_ACCESS_KEY" => TestFleets.GameDaySecret,
            "AWS_REGION" => "us-east-1",
            _ => null,
        });
        var e = await Assert.ThrowsAsync<SharedStateException>(() => state.BeginRunAsync(Run("aaaaaa000001", "laptop-a"), [Web], _ => { }, AwsSandbox.Timeout()));
        Assert.Contains("s3://team-state/team/", e.Message);
    }

    [Theory]
    [InlineData("s3://Bad_Bucket/x", "not an S3 bucket name")]
    [InlineData("s3://ok-bucket/a/../b", "plain path segments")]
    [InlineData("s3://ok-bucket//x", "plain path segments")]
    public void A_state_uri_that_is_not_a_bucket_and_plain_prefix_is_refused(string uri, string why)
    {
        var e = Assert.Throws<InvalidInputException>(() => SharedStateLocation.Parse(uri));
        Assert.Contains(why, e.Message);
        Assert.Equal(("ok-bucket", "team/game-days/"), SharedStateLocation.Parse("s3://ok-bucket/team/game-days/"));
        Assert.Equal(("ok-bucket", ""), SharedStateLocation.Parse("s3://ok-bucket"));
    }
}
