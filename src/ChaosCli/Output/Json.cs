using System.Text.Encodings.Web;
using System.Text.Json;

namespace Simian.Cli.Output;

/// <summary>Writes one indented JSON document; no reflection, so it works under Native AOT.</summary>
public static class Json
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            body(writer);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes a file readable only by its owner: plans and results can name infrastructure.</summary>
    public static void WriteOwnerOnly(string path, string content)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
            stream.Flush(true);
        }
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, full, overwrite: true);
    }
}
