namespace Simian.Proxy;

/// <summary>One problem in a config file, printed as path:line:col: error: message like a compiler would.</summary>
public sealed record ProxyConfigError(string Path, int Line, int Column, string Message)
{
    public override string ToString() => $"{Path}:{Line}:{Column}: error: {Message}";
}
