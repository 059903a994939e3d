using Simian.Core;
using Simian.Core.Platform;

namespace Simian.Local.Proxies;

/// <summary>
/// The proxy control API's bearer token, read from where the operator keeps it — never from a profile. A profile's
/// <c>providers.local.proxyToken</c> names a source: <c>env:NAME</c> (an environment variable) or <c>file:PATH</c>.
/// </summary>
public static class ProxyToken
{
    private const int MaxBytes = 4096;

    /// <summary>Whether <paramref name="source"/> names a place (env:/file:) rather than being a token itself.</summary>
    public static bool IsSource(string source) =>
        (source.StartsWith("env:", StringComparison.Ordinal) && source.Length > 4) || (source.StartsWith("file:", StringComparison.Ordinal) && source.Length > 5);

    /// <summary>The token a source names; throws <see cref="InvalidInputException"/> when it is missing or unsafe.</summary>
    public static string Resolve(string source, Func<string, string?> env)
    {
        if (source.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = source[4..];
            return env(name) is { Length: > 0 } value ? value.Trim() : throw new InvalidInputException($"proxyToken: environment variable {name} is not set");
        }
        return ReadFile(source["file:".Length..], "proxyToken");
    }

    /// <summary>The first line of an owner-only regular file, at most 4 KiB.</summary>
    public static string ReadFile(string path, string what)
    {
        var id = Posix.Lstat(path) ?? throw new InvalidInputException($"{what} {path} does not exist");
        if (!id.IsRegularFile) throw new InvalidInputException($"{what} {path} is {id.KindText}, not a regular file");
        if ((id.Mode & 0x3F) != 0) throw new InvalidInputException($"{what} {path} can be read by others (chmod 600 it): a token must be owner-only");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        var buffer = new byte[MaxBytes + 1];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read > MaxBytes) throw new InvalidInputException($"{what} {path} is larger than {MaxBytes} bytes; it should hold one token");
        var token = System.Text.Encoding.UTF8.GetString(buffer, 0, read).Split('\n')[0].Trim();
        return token.Length > 0 ? token : throw new InvalidInputException($"{what} {path} is empty");
    }
}
