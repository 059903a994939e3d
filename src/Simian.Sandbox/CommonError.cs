namespace Simian.Sandbox;

/// <summary>Errors every service can answer with, each spelled the way that service spells it.</summary>
internal enum CommonError
{
    Throttled,
    Internal,
    MissingAuthentication,
    UnknownAccessKey,
    SignatureMismatch,
    MalformedAuthorization,
    /// <summary>A signed request whose time is more than 15 minutes from the service's clock.</summary>
    RequestTimeTooSkewed,
    /// <summary>A session token that does not belong to the access key (or one missing where the key needs it).</summary>
    InvalidToken,
    /// <summary>A session token past its expiry.</summary>
    ExpiredToken,
}
