using System.Text;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.Tests.Policy;

public sealed class BucketPolicyParseTests
{
    /// <summary>S3 keeps a policy without the whitespace between tokens; whitespace inside strings and escapes stay.</summary>
    [Fact]
    public void Stores_the_document_without_whitespace_between_tokens()
    {
        var raw = Encoding.UTF8.GetBytes("{\"Statement\" : {\"Sid\": \"a b\\u0020c\\\"\", \"Effect\":\"Deny\",\r\n\t\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"} }\n");

        Assert.Equal("{\"Statement\":{\"Sid\":\"a b\\u0020c\\\"\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
            Encoding.UTF8.GetString(BucketPolicy.Parse(raw).Raw));
    }

    /// <summary>What PutBucketPolicy answers MalformedPolicy to (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html).</summary>
    [Theory]
    [InlineData("\"Resource\":\"*\"", "Policy has invalid resource")]
    [InlineData("\"Resource\":\"arn:aws:s3:::other-bucket/*\"", "Policy has invalid resource")]
    [InlineData("\"Resource\":\"arn:aws:s3:::site-assets-old/*\"", "Policy has invalid resource")]
    [InlineData("\"Resource\":\"arn:aws:s3:::site-assets/*\",\"Action\":\"s3:GetObjekt\"", "Policy has invalid action")]
    [InlineData("\"Resource\":\"arn:aws:s3:::site-assets/*\",\"Action\":\"ec2:StopInstances\"", "Policy has invalid action")]
    [InlineData("\"Resource\":\"arn:aws:s3:::site-assets/*\",\"Principal\":{\"AWS\":\"nobody\"}", "Invalid principal in policy")]
    [InlineData("\"Resource\":\"arn:aws:s3:::site-assets/*\",\"Principal\":{\"Magic\":\"*\"}", "Invalid principal in policy")]
    public void Checks_resources_actions_and_principals_against_the_bucket(string parts, string error)
    {
        var fields = new Dictionary<string, string> { ["Action"] = "\"Action\":\"s3:GetObject\"", ["Principal"] = "\"Principal\":\"*\"" };
        foreach (var part in parts.Split(",\"").Select((p, i) => i == 0 ? p : "\"" + p))
        {
            fields[part.Split('"')[1]] = part;
        }

        var document = "{\"Statement\":[{\"Effect\":\"Allow\"," + string.Join(',', fields.Values) + "}]}";
        var e = Assert.Throws<MalformedPolicyException>(() => BucketPolicy.Parse(Encoding.UTF8.GetBytes(document), "site-assets"));
        Assert.Equal(error, e.Message);
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
