using System.Net;

namespace Simian.Proxy;

/// <summary>A control API call that did not succeed; StatusCode is null when the server could not be reached at all.</summary>
public sealed class ProxyControlException : Exception
{
    public ProxyControlException(HttpStatusCode? statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode? StatusCode { get; }
}
