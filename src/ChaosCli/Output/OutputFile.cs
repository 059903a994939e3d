using Simian.Core;
using Simian.Core.Journal;
using Simian.Core.Platform;
using Simian.Core.Profiles;

namespace Simian.Cli.Output;

/// <summary>
/// Files simian writes on request (<c>--out</c>, <c>--junit</c>, <c>--log-file</c>, <c>--journal</c>): checked before
/// anything runs, so a typo is a usage error (exit 2) naming the path rather than a failure halfway through.
/// </summary>
public static class OutputFile
{
    /// <summary>Throws <see cref="InvalidInputException"/> when <paramref name="path"/> cannot be a file we write.</summary>
    /// <param name="what">How the user named it, e.g. "--junit".</param>
    /// <param name="mustNotExist">For a journal: an existing file is never appended to or replaced.</param>
    public static string Check(string path, string what, bool mustNotExist = false)
    {
        if (path.Length == 0) throw new InvalidInputException($"{what} needs a file name");
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var folder = Posix.Stat(dir);
        if (folder is null) throw new InvalidInputException($"cannot write {what} {path}: folder {dir} does not exist");
        if (!folder.Value.IsDirectory) throw new InvalidInputException($"cannot write {what} {path}: {dir} is {folder.Value.KindText}, not a folder");
        var existing = Posix.Lstat(full);
        if (existing is { } e)
        {
            if (mustNotExist) throw new InvalidInputException($"cannot write {what} {path}: it already exists; choose another");
            // A symlink is checked by what it leads to.
            var target = e.IsSymlink ? Posix.Stat(full) : e;
            if (target is { IsRegularFile: false } t) throw new InvalidInputException($"cannot write {what} {path}: it is {t.KindText}, not a file");
        }
        return full;
    }

    /// <summary>
    /// For a file simian appends to (a log): besides <see cref="Check"/>, an existing one must be this user's own
    /// regular file — never a symlink, which would send the appends (as root, perhaps) wherever it points.
    /// </summary>
    public static string CheckAppendable(string path, string what)
    {
        var full = Check(path, what);
        if (Posix.Lstat(full) is { } existing && StatePaths.Unsafe(existing, expectDirectory: false) is { } why)
        {
            throw new InvalidInputException($"cannot append to {what} {path}: {why}");
        }
        return full;
    }

    /// <summary>Writes a whole file owner-only (0600), atomically by rename; problems name the path.</summary>
    public static void WriteOwnerOnly(string path, string what, Action<Stream> write)
    {
        var full = Check(path, what);
        // A fresh, unguessable name created with O_EXCL: never a file (or symlink) someone else put there.
        var temp = $"{full}.tmp-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}";
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                write(stream);
                stream.Flush(true);
            }
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            throw new EnvironmentException($"cannot write {what} {path}: {Redaction.Text(IoErrors.Reason(e))}", e);
        }
    }
}
