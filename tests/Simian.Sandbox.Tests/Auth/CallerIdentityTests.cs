using Simian.Sandbox.Auth;

namespace Simian.Sandbox.Tests.Auth;

public sealed class CallerIdentityTests
{
    [Fact]
    public void An_assumed_role_session_has_the_role_as_principal_arn()
    {
        var identity = new CallerIdentity("arn:aws:sts::123456789012:assumed-role/GameDay/simian", "AROAX:simian", "123456789012", "AK", null);

        Assert.Equal("arn:aws:iam::123456789012:role/GameDay", identity.PrincipalArn);
        Assert.Null(identity.UserName);
        Assert.Equal("AssumedRole", identity.ConditionKeys()["aws:principaltype"]);
    }

    [Fact]
    public void An_iam_user_is_its_own_principal_and_has_a_user_name()
    {
        var identity = new CallerIdentity("arn:aws:iam::123456789012:user/ops/dev", "AIDADEV", "123456789012", "AK", null);
        var keys = identity.ConditionKeys();

        Assert.Equal("arn:aws:iam::123456789012:user/ops/dev", keys["aws:PrincipalArn"]);
        Assert.Equal("dev", keys["aws:username"]);
        Assert.Equal("AIDADEV", keys["aws:userid"]);
        Assert.Equal("123456789012", keys["aws:PrincipalAccount"]);
    }

    [Fact]
    public void The_anonymous_caller_has_no_principal_arn()
    {
        var keys = CallerIdentity.Anonymous.ConditionKeys();

        Assert.False(keys.ContainsKey("aws:PrincipalArn"));
        Assert.Equal("anonymous", keys["aws:userid"]);
    }
}
