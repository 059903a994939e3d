namespace Simian.Sandbox.Auth;

/// <summary>The principal behind a request, with the IAM condition keys a bucket policy can test.</summary>
internal sealed class CallerIdentity
{
    public const string DefaultArn = "arn:aws:iam::000000000000:user/sandbox";
    public const string DefaultAccount = "000000000000";

    public CallerIdentity(string arn, string userId, string account, string? accessKeyId, string? secretAccessKey)
    {
        Arn = arn;
        UserId = userId;
        Account = account;
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
    }

    /// <summary>The unsigned caller: matches only <c>"Principal": "*"</c>.</summary>
    public static CallerIdentity Anonymous { get; } = new("", "anonymous", "", null, null) { IsAnonymous = true };

    /// <summary>Who an unknown access key is taken to be when known keys are not required.</summary>
    public static CallerIdentity Default(string accessKeyId) =>
        new(DefaultArn, "AIDASANDBOXDEFAULTUSER", DefaultAccount, accessKeyId, null);

    public string Arn { get; }

    public string UserId { get; }

    public string Account { get; }

    public string? AccessKeyId { get; }

    /// <summary>When set, requests claiming this key must carry a valid SigV4 signature.</summary>
    public string? SecretAccessKey { get; }

    public bool IsAnonymous { get; private init; }

    /// <summary>The session token issued with a temporary key, or null for a long-term key.</summary>
    public string? SessionToken { get; init; }

    public DateTimeOffset? SessionExpires { get; init; }

    /// <summary>Action patterns (<c>service:Action</c>, <c>*</c> wildcards) no identity policy allows this caller.</summary>
    public IReadOnlyList<string> DeniedActions { get; init; } = [];

    /// <summary>Whether the caller's identity policies allow <paramref name="action"/> (e.g. <c>ec2:StopInstances</c>).</summary>
    public bool IsAllowed(string action) =>
        !DeniedActions.Any(pattern => Policy.Wildcard.IsMatch(pattern, action, ignoreCase: true));

    /// <summary>aws:PrincipalArn: for an assumed-role session this is the role's ARN, not the session's.</summary>
    public string? PrincipalArn
    {
        get
        {
            if (IsAnonymous)
            {
                return null;
            }

            var parts = Arn.Split(':', 6);
            if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
            {
                var roleAndSession = parts[5]["assumed-role/".Length..];
                var slash = roleAndSession.IndexOf('/');
                var role = slash < 0 ? roleAndSession : roleAndSession[..slash];
                return $"arn:{parts[1]}:iam::{parts[4]}:role/{role}";
            }

            return Arn;
        }
    }

    /// <summary>aws:username: only IAM users have one.</summary>
    public string? UserName
    {
        get
        {
            var parts = Arn.Split(':', 6);
            if (parts.Length == 6 && parts[2] == "iam" && parts[5].StartsWith("user/", StringComparison.Ordinal))
            {
                return parts[5][(parts[5].LastIndexOf('/') + 1)..];
            }

            return null;
        }
    }

    /// <summary>The global condition keys this caller brings to a policy evaluation (absent keys are left out).</summary>
    public IReadOnlyDictionary<string, string> ConditionKeys()
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:userid"] = UserId,
            ["aws:SecureTransport"] = "false",
        };
        if (!IsAnonymous)
        {
            keys["aws:PrincipalArn"] = PrincipalArn!;
            keys["aws:PrincipalAccount"] = Account;
            keys["aws:PrincipalType"] = Arn.Contains(":assumed-role/", StringComparison.Ordinal) ? "AssumedRole"
                : Arn.EndsWith(":root", StringComparison.Ordinal) ? "Account" : "User";
        }
        else
        {
            keys["aws:PrincipalType"] = "Anonymous";
        }

        if (UserName is { } userName)
        {
            keys["aws:username"] = userName;
        }

        return keys;
    }

    /// <summary>The account an ARN names, or null when it names none.</summary>
    public static string? AccountOf(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[4].Length > 0 ? parts[4] : null;
    }
}
