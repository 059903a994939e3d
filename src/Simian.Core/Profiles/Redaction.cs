using System.Text.RegularExpressions;

namespace Simian.Core.Profiles;

/// <summary>Removes secrets (passwords in URLs, signed query strings, tokens) before text is shown or stored.</summary>
public static partial class Redaction
{
    private static readonly string[] SecretParams =
        ["token", "access_token", "id_token", "apikey", "api_key", "key", "secret", "password", "pwd", "signature", "sig",
         "x-amz-signature", "x-amz-credential", "x-amz-security-token", "awsaccesskeyid", "auth", "authorization", "code", "session"];

    public static string Url(string url)
    {
        // Not a URL the parser takes (or a scheme without a query, like ftp): still no secrets in it.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return Text(url);
        var builder = new UriBuilder(uri);
        if (!string.IsNullOrEmpty(builder.UserName) || !string.IsNullOrEmpty(builder.Password))
        {
            builder.UserName = string.IsNullOrEmpty(builder.UserName) ? "" : "***";
            builder.Password = string.IsNullOrEmpty(builder.Password) ? "" : "***";
        }
        if (builder.Query.Length > 1)
        {
            var parts = builder.Query.TrimStart('?').Split('&');
            for (var i = 0; i < parts.Length; i++)
            {
                var eq = parts[i].IndexOf('=');
                var name = eq < 0 ? parts[i] : parts[i][..eq];
                if (SecretParams.Contains(Uri.UnescapeDataString(name).ToLowerInvariant()))
                {
                    parts[i] = name + "=***";
                }
            }
            builder.Query = string.Join('&', parts);
        }
        var text = builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped);
        // UriBuilder adds the default port; keep what the user wrote where we can.
        return Text(uri.IsDefaultPort ? text.Replace($":{uri.Port}/", "/", StringComparison.Ordinal) : text);
    }

    /// <summary>Masks AWS key ids, bearer tokens and URL credentials inside free text such as error messages.</summary>
    public static string Text(string text)
    {
        text = AccessKeyPattern().Replace(text, m => m.Value[..4] + "****************");
        text = BearerPattern().Replace(text, "Bearer ***");
        text = UrlCredentialPattern().Replace(text, "://***:***@");
        text = AuthorizationPattern().Replace(text, m => m.Groups["key"].Value + "***");
        text = SecretFlagPattern().Replace(text, m => m.Groups["key"].Value + "***");
        text = SecretValuePattern().Replace(text, m => m.Groups["key"].Value + m.Groups["sep"].Value + "***");
        return text;
    }

    [GeneratedRegex(@"\b(AKIA|ASIA)[A-Z0-9]{12,}\b")]
    private static partial Regex AccessKeyPattern();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    // An Authorization header as tools print it, whatever its scheme: `Authorization: Basic dXNlcjpwYXNz`.
    [GeneratedRegex(@"(?<key>\bauthorization[""']?\s*[:=]\s*[""']?)(?:(?:basic|bearer|digest|token|aws4-hmac-sha256)\s+)?[^\s""',;]+", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationPattern();

    // A secret passed as a command-line flag with a space: `--password hunter2`, `-token abc` (`=` is SecretValuePattern's).
    [GeneratedRegex(@"(?<key>(?:^|\s)--?(?:password|passwd|pass|token|secret|api-?key|access-?key|secret-?key|client-?secret)\s+)(?!-)[^\s""']+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretFlagPattern();

    [GeneratedRegex(@"://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex UrlCredentialPattern();

    // A secret-named key and its value, as tools print them: `token=…` in a query string, `aws_secret_access_key = …`
    // in a config line, `"SessionToken": "…"` in JSON, `X-Amz-Security-Token: …` in a header. The key may end a
    // longer name (SessionToken, client_secret), so no word boundary before it.
    [GeneratedRegex(@"(?<key>secret_?access_?key|session_?token|security_?token|x-amz-signature|x-amz-credential|access_?token|id_?token|refresh_?token|api_?key|password|passwd|secret|token|signature)(?<sep>[""']?\s*[:=]\s*[""']?)(?<value>[^&\s""',;}]+)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValuePattern();
}
