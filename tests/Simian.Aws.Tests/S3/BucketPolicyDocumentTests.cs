using System.Text.Json.Nodes;
using Simian.Aws.S3;

namespace Simian.Aws.Tests.S3;

public sealed class BucketPolicyDocumentTests
{
    [Fact]
    public void Merge_keeps_other_properties_in_order_and_turns_a_single_statement_into_a_list()
    {
        const string original = """{"Id":"P1","Statement":{"Sid":"Mine","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},"Version":"2012-10-17"}""";
        var merged = BucketPolicyDocument.Merge(original, "SimianDenyX", "aws", "b", ["s3:GetObject"], ["arn:aws:iam::1:role/R"]);
        var doc = JsonNode.Parse(merged)!.AsObject();
        Assert.Equal(["Id", "Statement", "Version"], doc.Select(p => p.Key));
        Assert.Equal(["Mine", "SimianDenyX"], doc["Statement"]!.AsArray().Select(s => s!["Sid"]!.GetValue<string>()));
        Assert.True(BucketPolicyDocument.HasStatement(merged, "SimianDenyX"));
        Assert.False(BucketPolicyDocument.HasStatement(original, "SimianDenyX"));
        Assert.Equal(
            """{"Id":"P1","Statement":[{"Sid":"Mine","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}],"Version":"2012-10-17"}""",
            BucketPolicyDocument.Without(merged, "SimianDenyX"));
    }

    [Fact]
    public void Without_our_only_statement_nothing_remains()
    {
        var merged = BucketPolicyDocument.Merge(null, "SimianDenyX", "aws", "b", ["s3:*"], ["arn:aws:iam::1:user/u"]);
        Assert.StartsWith("""{"Version":"2012-10-17","Statement":[{"Sid":"SimianDenyX","Effect":"Deny","Principal":"*",""", merged);
        Assert.Null(BucketPolicyDocument.Without(merged, "SimianDenyX"));
        Assert.False(BucketPolicyDocument.HasStatement("not json", "SimianDenyX"));
    }
}
