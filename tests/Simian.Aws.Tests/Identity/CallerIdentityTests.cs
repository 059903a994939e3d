using Simian.Aws.Identity;

namespace Simian.Aws.Tests.Identity;

public sealed class CallerIdentityTests
{
    [Fact]
    public void An_assumed_role_session_presents_its_role_under_any_path()
    {
        var caller = new CallerIdentity("arn:aws:sts::123456789012:assumed-role/GameDay/simian", "123456789012");
        Assert.Equal(["arn:aws:iam::123456789012:role/GameDay", "arn:aws:iam::123456789012:role/*/GameDay"], caller.PrincipalArns);
        Assert.Equal("aws", caller.Partition);
    }

    [Fact]
    public void Users_and_other_partitions_present_their_own_arn()
    {
        Assert.Equal(["arn:aws:iam::123456789012:user/ops/dev"], new CallerIdentity("arn:aws:iam::123456789012:user/ops/dev", "123456789012").PrincipalArns);
        var china = new CallerIdentity("arn:aws-cn:sts::123456789012:assumed-role/R/s", "123456789012");
        Assert.Equal("aws-cn", china.Partition);
        Assert.Equal("arn:aws-cn:iam::123456789012:role/R", china.PrincipalArns[0]);
    }
}
