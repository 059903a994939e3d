using Amazon.SecurityToken.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Sts;

public sealed class GetCallerIdentityTests
{
    [Fact]
    public async Task Returns_the_identity_behind_the_access_key()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var identity = await sandbox.Sts().GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(TestFleets.GameDayArn, identity.Arn);
        Assert.Equal("AROAGAMEDAY:simian", identity.UserId);
        Assert.Equal(TestFleets.Account, identity.Account);
    }

    [Fact]
    public async Task Unknown_keys_are_the_default_sandbox_user_when_any_key_is_asked_for()
    {
        await using var sandbox = await SandboxHarness.StartAsync(configure: o => new SandboxOptions { Fleet = o.Fleet, RequireKnownKeys = false });

        var identity = await sandbox.Sts("AKIAUNKNOWN", "whatever").GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal("arn:aws:iam::000000000000:user/sandbox", identity.Arn);
        Assert.Equal("000000000000", identity.Account);
    }
}
