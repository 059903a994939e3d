namespace Simian.Proxy;

/// <summary>A config file that cannot be used; carries every problem found, not just the first.</summary>
public sealed class ProxyConfigException : Exception
{
    public ProxyConfigException(IReadOnlyList<ProxyConfigError> errors, Exception? innerException = null)
        : base(string.Join(Environment.NewLine, errors), innerException)
    {
        Errors = errors;
    }

    public IReadOnlyList<ProxyConfigError> Errors { get; }
}
