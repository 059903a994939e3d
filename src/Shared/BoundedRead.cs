using System.Text;

namespace Simian.Shared;

/// <summary>
/// Reads a whole file, but never more than a limit: a file a profile or a command line names may be huge, or a
/// device that never ends. Callers first make sure it is a regular file (a FIFO would block the open itself).
/// Compiled into each assembly that reads such files, from this one file.
/// </summary>
internal static class BoundedRead
{
    /// <summary>The file's text; an <see cref="IOException"/> naming the limit when it is longer.</summary>
    public static string Text(string path, int maxBytes, string what) => new UTF8Encoding(false).GetString(Bytes(path, maxBytes, what));

    /// <summary>The file's bytes; an <see cref="IOException"/> naming the limit when it is longer.</summary>
    public static byte[] Bytes(string path, int maxBytes, string what)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        if (stream.CanSeek && stream.Length > maxBytes) throw TooLarge(path, maxBytes, what);
        var buffer = new byte[Math.Min(maxBytes + 1L, stream.CanSeek ? stream.Length + 1 : maxBytes + 1L)];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read > maxBytes) throw TooLarge(path, maxBytes, what);
        return buffer.AsSpan(0, read).ToArray();
    }

    private static IOException TooLarge(string path, int maxBytes, string what) =>
        new($"{what} {path} is larger than {maxBytes} bytes, the most simian reads");
}
