namespace Simian.Proxy;

/// <summary>Why a proxy operation was refused; the control API maps each kind to one HTTP status.</summary>
public enum ProxyErrorKind
{
    /// <summary>The input is malformed or out of range (HTTP 400).</summary>
    Invalid,

    /// <summary>The named proxy or toxic does not exist, or its TTL has lapsed (HTTP 404).</summary>
    NotFound,

    /// <summary>The name or the listen address is already taken (HTTP 409).</summary>
    Conflict,
}
