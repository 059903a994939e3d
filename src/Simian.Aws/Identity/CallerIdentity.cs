namespace Simian.Aws.Identity;

/// <summary>Who is running the experiment, as STS GetCallerIdentity reports it.</summary>
public sealed record CallerIdentity(string Arn, string Account)
{
    /// <summary>The ARN partition (<c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>), so bucket ARNs are written for the right one.</summary>
    public string Partition => Arn.Split(':') is { Length: > 2 } parts && parts[1].Length > 0 ? parts[1] : "aws";

    /// <summary>
    /// The <c>aws:PrincipalArn</c> value(s) this caller presents. An assumed-role session
    /// (<c>arn:aws:sts::ACCT:assumed-role/ROLE/SESSION</c>) presents its role's ARN; the session ARN drops the
    /// role's path, so the role is also matched under any path (<c>role/*/ROLE</c>: SSO roles live under
    /// <c>/aws-reserved/sso.amazonaws.com/</c>). Users, federated users and root present their own ARN.
    /// </summary>
    public IReadOnlyList<string> PrincipalArns
    {
        get
        {
            var parts = Arn.Split(':', 6);
            if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
            {
                var roleAndSession = parts[5]["assumed-role/".Length..];
                var slash = roleAndSession.IndexOf('/');
                var role = slash < 0 ? roleAndSession : roleAndSession[..slash];
                var prefix = $"arn:{parts[1]}:iam::{parts[4]}:role/";
                return [prefix + role, prefix + "*/" + role];
            }
            return [Arn];
        }
    }
}
