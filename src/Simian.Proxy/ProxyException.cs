namespace Simian.Proxy;

/// <summary>A refused proxy operation; the message is written for the person who made the request.</summary>
public sealed class ProxyException : Exception
{
    public ProxyException(ProxyErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public ProxyErrorKind Kind { get; }
}
