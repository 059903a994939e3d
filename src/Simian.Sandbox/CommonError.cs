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
}
