using System.Text;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.Tests.Policy;

public sealed class BucketPolicyParseTests
{
    [Fact]
    public void Keeps_the_document_byte_for_byte()
    {
        var raw = Encoding.UTF8.GetBytes("{\"Statement\" : {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"} }\n");

        Assert.Equal(raw, BucketPolicy.Parse(raw).Raw);
    }

    [Theory]
    [InlineData("{", "valid JSON")]
    [InlineData("{\"Statement\":[]}", "empty")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}", "Principal")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Resource\":\"*\"}]}", "Action")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\"}]}", "Resource")]
    public void Refuses_documents_s3_would_refuse(string document, string mentions)
    {
        var error = Assert.Throws<MalformedPolicyException>(() => BucketPolicy.Parse(Encoding.UTF8.GetBytes(document)));

        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }
}
