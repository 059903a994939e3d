namespace Simian.Sandbox.Auth;

/// <summary>Maps access key ids to the fleet's identities.</summary>
internal sealed class IdentityDirectory
{
    private readonly Dictionary<string, CallerIdentity> _byKey = new(StringComparer.Ordinal);

    public IdentityDirectory(IEnumerable<FleetIdentity> identities)
    {
        foreach (var identity in identities)
        {
            var account = identity.Account ?? CallerIdentity.AccountOf(identity.Arn) ?? CallerIdentity.DefaultAccount;
            _byKey[identity.AccessKeyId] = new CallerIdentity(
                identity.Arn,
                identity.UserId ?? identity.AccessKeyId,
                account,
                identity.AccessKeyId,
                string.IsNullOrEmpty(identity.SecretAccessKey) ? null : identity.SecretAccessKey)
            {
                DeniedActions = identity.DeniedActions.ToArray(),
                SessionToken = string.IsNullOrEmpty(identity.SessionToken) ? null : identity.SessionToken,
                SessionExpires = identity.SessionExpires,
            };
        }
    }

    public CallerIdentity? Find(string accessKeyId) => _byKey.GetValueOrDefault(accessKeyId);
}
