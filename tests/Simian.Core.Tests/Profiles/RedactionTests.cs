using Simian.Core.Profiles;

namespace Simian.Core.Tests.Profiles;

/// <summary>The one redaction function every output goes through (issue 11: no secrets in any output).</summary>
public sealed class RedactionTests
{
    [Theory]
    [InlineData("serve --token=abc123 --port 80", "serve --token=*** --port 80")]
    [InlineData("serve --token abc123 --port 80", "serve --token *** --port 80")]
    [InlineData("psql --password hunter2", "psql --password ***")]
    [InlineData("tool -secret s3 -v", "tool -secret *** -v")]
    [InlineData("curl -H 'Authorization: Basic dXNlcjpwYXNz' http://x", "curl -H 'Authorization: ***' http://x")]
    [InlineData("Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE", "Authorization: ***")]
    [InlineData("Authorization: Bearer eyJhbGciOi", "Authorization: ***")]
    [InlineData("sent Bearer eyJhbGciOi", "sent Bearer ***")]
    [InlineData("http://user:pw@host/x?token=t0k", "http://***:***@host/x?token=***")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE", "key AKIA****************")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI", "aws_secret_access_key = ***")]
    public void Secret_shaped_values_are_masked(string text, string masked) => Assert.Equal(masked, Redaction.Text(text));

    [Theory]
    [InlineData("simian demo-server --port 18080")]
    [InlineData("sleep 300 --verbose")]
    [InlineData("--token-file /etc/simian/token")]
    public void Ordinary_command_lines_are_left_alone(string text) => Assert.Equal(text, Redaction.Text(text));
}
