namespace Simian.Core.Platform;

/// <summary>How an I/O failure is told in one line that already names its path.</summary>
public static class IoErrors
{
    /// <summary>The operating system's reason ("No space left on device") without .NET's restatement of the path.</summary>
    public static string Reason(Exception e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" : '", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
