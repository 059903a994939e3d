using Amazon.Runtime;
using Simian.Aws.Tests.TestSupport;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.Identity;

/// <summary>
/// A run can outlast an STS session. When AWS answers ExpiredToken, simian makes refreshing credentials fetch new
/// ones and tries again, so a rollback (or recover) is not lost to an expired session. The sandbox refuses an
/// expired session token as STS credentials are refused
/// (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html, ExpiredTokenException).
/// </summary>
public sealed class ExpiredTokenTests
{
    /// <summary>Hands out an expired session first, a live one after a refresh (as an AssumeRole provider would).</summary>
    private sealed class TwoSessions : RefreshingAWSCredentials
    {
        private int _generation;

        public int Generations => _generation;

        protected override CredentialsRefreshState GenerateNewCredentials() =>
            Interlocked.Increment(ref _generation) == 1
                ? new CredentialsRefreshState(new ImmutableCredentials("ASIASANDBOXOLD", "old-secret", "old-token"), DateTime.UtcNow.AddHours(1))
                : new CredentialsRefreshState(new ImmutableCredentials("ASIASANDBOXNEW", "new-secret", "new-token"), DateTime.UtcNow.AddHours(1));
    }

    [Fact(Timeout = 60_000)]
    public async Task Undo_after_the_session_expired_refreshes_the_credentials_and_restores()
    {
        var fleet = TestFleets.Extended();
        var arn = "arn:aws:sts::123456789012:assumed-role/GameDay/simian";
        fleet.Identities.Add(new FleetIdentity { AccessKeyId = "ASIASANDBOXOLD", SecretAccessKey = "old-secret", SessionToken = "old-token", SessionExpires = DateTimeOffset.UtcNow.AddMinutes(-1), Arn = arn });
        fleet.Identities.Add(new FleetIdentity { AccessKeyId = "ASIASANDBOXNEW", SecretAccessKey = "new-secret", SessionToken = "new-token", Arn = arn });
        await using var sandbox = await AwsSandbox.StartAsync(fleet);
        var fault = sandbox.Fault("aws:ec2:instance", "instance-stop");
        var ctx = sandbox.Context(await sandbox.InstanceAsync("i-0000000000000web2"));
        var undo = await fault.CaptureAsync(ctx, AwsSandbox.Timeout());
        await fault.ApplyAsync(ctx, undo, AwsSandbox.Timeout());

        // recover in a fresh process, whose credentials start with a session that has just expired.
        var credentials = new TwoSessions();
        var provider = new AwsProvider(TimeProvider.System, _ => null, AwsSandbox.FastOptions with { Credentials = credentials });
        var fresh = sandbox.Fault("aws:ec2:instance", "instance-stop", provider);
        Assert.Equal(UndoOutcome.Restored, await fresh.UndoAsync(sandbox.Undo(ctx, undo), AwsSandbox.Timeout()));
        Assert.Equal(2, credentials.Generations);
        Assert.Contains(sandbox.State.InstanceState("i-0000000000000web2"), new[] { "pending", "running" });
    }
}
