namespace Simian.Sandbox;

/// <summary>An access key the sandbox recognises and the principal it stands for.</summary>
public sealed class FleetIdentity
{
    public required string AccessKeyId { get; set; }

    /// <summary>When set, every request signed with this key has its SigV4 signature verified.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>An IAM user ARN or an assumed-role session ARN (<c>arn:aws:sts::ACCT:assumed-role/ROLE/SESSION</c>).</summary>
    public required string Arn { get; set; }

    /// <summary>aws:userid, e.g. <c>AROAEXAMPLE:simian</c>; defaults to the access key id.</summary>
    public string? UserId { get; set; }

    /// <summary>Defaults to the account in <see cref="Arn"/>.</summary>
    public string? Account { get; set; }

    /// <summary>
    /// For temporary credentials (an ASIA… key): the session token requests must carry, as STS issued it. Requests
    /// with another token, or none, are refused; so is a token sent with a long-term key.
    /// </summary>
    public string? SessionToken { get; set; }

    /// <summary>When the session token expires: later requests get ExpiredToken, as STS credentials do after their duration.</summary>
    public DateTimeOffset? SessionExpires { get; set; }

    /// <summary>
    /// For SSO profiles: the IAM Identity Center access token (as the SDK caches it) and the role name that, together
    /// with this identity's account, GetRoleCredentials answers with this identity's key, secret and session token.
    /// </summary>
    public string? SsoAccessToken { get; set; }

    public string? SsoRoleName { get; set; }

    /// <summary>
    /// Actions this identity's IAM policies do not allow (e.g. <c>ec2:StartInstances</c>, <c>autoscaling:*</c>):
    /// EC2 answers them with UnauthorizedOperation, Auto Scaling with AccessDenied, as for a real missing permission.
    /// </summary>
    public List<string> DeniedActions { get; } = [];
}
