using Simian.Sandbox.Policy;

namespace Simian.Sandbox.Tests.Policy;

public sealed class WildcardTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("s3:*Object*", "s3:GetObject", true)]
    [InlineData("s3:*Object*", "s3:GetObjectTagging", true)]
    [InlineData("s3:*Object*", "s3:ListBucket", false)]
    [InlineData("s3:Get?bject", "s3:GetObject", true)]
    [InlineData("s3:Get?bject", "s3:Getbject", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false)]
    [InlineData("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Matches_like_iam(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, Wildcard.IsMatch(pattern, value, ignoreCase: false));
    }

    [Fact]
    public void Case_is_ignored_only_when_asked()
    {
        Assert.True(Wildcard.IsMatch("S3:getobject", "s3:GetObject", ignoreCase: true));
        Assert.False(Wildcard.IsMatch("S3:getobject", "s3:GetObject", ignoreCase: false));
    }
}
