using System.Text;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Tests.Auth;

public sealed class SigV4VerifierTests
{
    // AWS's published SigV4 test suite, case "get-vanilla".
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static SandboxRequest GetVanilla(string signature) => new(
        "GET",
        "/",
        SandboxRequest.HeaderMap(
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + $"SignedHeaders=host;x-amz-date, Signature={signature}")),
        []);

    [Fact]
    public void Accepts_the_get_vanilla_signature_from_the_aws_test_suite()
    {
        var request = GetVanilla("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        Assert.True(SigV4Authorization.TryParse(request, out var auth));

        var check = SigV4Verifier.Verify(request, auth!, Secret);

        Assert.True(check.Valid, check.CanonicalRequest);
        Assert.Equal("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + SigV4Verifier.EmptyPayloadHash, check.CanonicalRequest);
    }

    [Fact]
    public void Rejects_a_signature_made_with_another_secret()
    {
        var request = GetVanilla("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        SigV4Authorization.TryParse(request, out var auth);

        Assert.False(SigV4Verifier.Verify(request, auth!, "another-secret").Valid);
    }

    [Fact]
    public void Reads_the_scope_of_an_authorization_header()
    {
        var request = GetVanilla("abc");

        Assert.True(SigV4Authorization.TryParse(request, out var auth));
        Assert.Equal("AKIDEXAMPLE", auth!.AccessKeyId);
        Assert.Equal("service", auth.Service);
        Assert.Equal("us-east-1", auth.Region);
        Assert.Equal(["host", "x-amz-date"], auth.SignedHeaders);
    }

    [Fact]
    public void A_request_without_credentials_has_no_authorization()
    {
        var request = new SandboxRequest("GET", "/bucket/key", SandboxRequest.HeaderMap(("Host", "h")), Encoding.UTF8.GetBytes(""));

        Assert.False(SigV4Authorization.TryParse(request, out _));
    }

    [Fact]
    public void A_credential_without_a_scope_is_malformed()
    {
        var request = new SandboxRequest("GET", "/", SandboxRequest.HeaderMap(
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID, SignedHeaders=host, Signature=abc")), []);

        Assert.Throws<FormatException>(() => SigV4Authorization.TryParse(request, out _));
    }
}
