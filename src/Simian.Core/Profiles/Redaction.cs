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
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return url;
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
        return uri.IsDefaultPort ? text.Replace($":{uri.Port}/", "/", StringComparison.Ordinal) : text;
    }

    /// <summary>Masks AWS key ids, bearer tokens and URL credentials inside free text such as error messages.</summary>
    public static string Text(string text)
    {
        text = AccessKeyPattern().Replace(text, m => m.Value[..4] + "****************");
        text = BearerPattern().Replace(text, "Bearer ***");
        text = UrlCredentialPattern().Replace(text, "://***:***@");
        text = SignedQueryPattern().Replace(text, m => m.Groups[1].Value + "=***");
        return text;
    }

    [GeneratedRegex(@"\b(AKIA|ASIA)[A-Z0-9]{12,}\b")]
    private static partial Regex AccessKeyPattern();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex UrlCredentialPattern();

    [GeneratedRegex(@"(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|token|access_token|password|secret)=[^&\s""]+", RegexOptions.IgnoreCase)]
    private static partial Regex SignedQueryPattern();
}
