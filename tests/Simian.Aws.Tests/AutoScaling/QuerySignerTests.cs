using System.Security.Cryptography;
using System.Text;
using Simian.Aws.Clients;

namespace Simian.Aws.Tests.AutoScaling;

/// <summary>
/// The Auto Scaling client signs its own requests (no SDK package for it here). Checked against AWS's published
/// Signature Version 4 test suite (the post-vanilla and post-vanilla-query cases:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), and against the sandbox's
/// verifier in <see cref="Faults.AutoScalingProtectionTests"/>.
/// </summary>
public sealed class QuerySignerTests
{
    private static readonly DateTimeOffset At = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private static readonly string EmptyHash = Convert.ToHexStringLower(SHA256.HashData([]));

    [Fact]
    public void Post_vanilla_matches_the_AWS_test_suite()
    {
        var authorization = QuerySigner.Authorization("POST", "/", "",
            [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")], EmptyHash,
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", At, "us-east-1", "service");
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
            "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            authorization);
    }

    [Fact]
    public void A_different_secret_or_body_gives_a_different_signature()
    {
        string Sign(string secret, string body) => QuerySigner.Authorization("POST", "/", "",
            [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), "AKIDEXAMPLE", secret, At, "us-east-1", "service");
        Assert.NotEqual(Sign("a", ""), Sign("b", ""));
        Assert.NotEqual(Sign("a", "Action=X"), Sign("a", "Action=Y"));
    }

    [Theory]
    [InlineData("web-asg", "web-asg")]
    [InlineData("a b+c/d~e", "a%20b%2Bc%2Fd~e")]
    [InlineData("ü", "%C3%BC")]
    public void Encoding_is_RFC_3986_as_SigV4_requires(string value, string encoded) =>
        Assert.Equal(encoded, QuerySigner.Encode(value));
}
