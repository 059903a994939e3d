using System.Text;
using Simian.Core.Platform;

namespace Simian.Core.Journal;

/// <summary>Where simian keeps journals: a per-user state folder (target locks are machine-wide, in the kernel).</summary>
public sealed record StatePaths(string Root)
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Journals => Path.Combine(Root, "journals");

    /// <summary>Where runs with <c>--journal FILE</c> say where their journal is, so a plain recover finds it.</summary>
    public string Registered => Path.Combine(Root, "registered");

    /// <summary>SIMIAN_STATE_DIR, else $XDG_STATE_HOME/simian, else ~/.local/state/simian.</summary>
    public static StatePaths FromEnvironment(Func<string, string?> env)
    {
        var explicitRoot = env("SIMIAN_STATE_DIR");
        if (!string.IsNullOrEmpty(explicitRoot)) return new StatePaths(explicitRoot);
        var xdg = env("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return new StatePaths(Path.Combine(xdg, "simian"));
        var home = env("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new StatePaths(Path.Combine(home, ".local", "state", "simian"));
    }

    /// <summary>
    /// Like ssh with ~/.ssh: the state folder and its subfolders must be directories (not symlinks) that only this
    /// user controls — owned by them, not writable by group or others — or nothing is read from or written to them
    /// (exit 2). A shared <c>SIMIAN_STATE_DIR=/tmp/…</c> must not let another user plant a journal that a later
    /// <c>recover</c> obeys. Missing folders are created owner-only (0700).
    /// </summary>
    public void EnsureOwnerOnly(bool create)
    {
        foreach (var dir in new[] { Root, Journals, Registered })
        {
            var id = Posix.Lstat(dir);
            if (id is null)
            {
                if (!create) continue;
                try
                {
                    Directory.CreateDirectory(dir, OwnerOnlyFolder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new InvalidInputException($"cannot create the state folder {dir}: {e.Message}");
                }
                id = Posix.Lstat(dir);
            }
            if (id is not { } found) continue;
            if (Unsafe(found, expectDirectory: true) is { } why) throw new InvalidInputException($"refusing the state folder {dir}: {why}");
        }
    }

    /// <summary>Why a path that should be this user's own file or folder is not, or null when it is.</summary>
    public static string? Unsafe(FileIdentity id, bool expectDirectory)
    {
        if (id.IsSymlink) return "it is a symbolic link";
        if (expectDirectory ? !id.IsDirectory : !id.IsRegularFile) return $"it is {id.KindText}";
        if (id.Uid != Posix.EffectiveUid) return $"it is owned by uid {id.Uid}, not by you (uid {Posix.EffectiveUid})";
        if ((id.Mode & 0x12) != 0) return $"it is writable by {((id.Mode & 0x10) != 0 ? "group" : "others")} (mode {Convert.ToString(id.Mode & 0xFFF, 8)}; chmod go-w it)";
        return null;
    }

    public string NewJournalPath(string experiment, string runId, DateTimeOffset now) =>
        Path.Combine(Journals, $"{now:yyyyMMdd'T'HHmmss'Z'}-{experiment}-{runId}.jsonl");

    /// <summary>
    /// Records, durably and before the run changes anything, that run <paramref name="runId"/> journals to
    /// <paramref name="journalPath"/>. Returns the registration to remove once the run has left nothing behind.
    /// </summary>
    public string Register(string runId, string journalPath)
    {
        try
        {
            Directory.CreateDirectory(Registered, OwnerOnlyFolder);
            var file = Path.Combine(Registered, runId + ".path");
            using (var stream = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                stream.Write(Encoding.UTF8.GetBytes(Path.GetFullPath(journalPath) + "\n"));
                stream.Flush(flushToDisk: true);
            }
            Posix.FsyncDirectory(Registered);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentException($"cannot register the journal {journalPath} in the state folder {Root}: {e.Message}", e);
        }
    }

    public void Unregister(string registration)
    {
        try { File.Delete(registration); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Every journal this state folder knows: its own, and those registered by runs with <c>--journal</c>. One file
    /// reached by two names (a registration of a journal inside the folder, a symlink, a hard link) is listed once.
    /// </summary>
    public IEnumerable<string> ExistingJournals()
    {
        var own = Directory.Exists(Journals) ? Directory.EnumerateFiles(Journals, "*.jsonl").Order(StringComparer.Ordinal).ToList() : [];
        var registered = new List<string>();
        if (Directory.Exists(Registered))
        {
            foreach (var file in Directory.EnumerateFiles(Registered, "*.path").Order(StringComparer.Ordinal))
            {
                // A registration someone else wrote is not ours to follow.
                if (Posix.Lstat(file) is not { } reg || Unsafe(reg, expectDirectory: false) is not null) continue;
                string path;
                try
                {
                    using var reader = new StreamReader(file);
                    var buffer = new char[4096];
                    path = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length)).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                if (path.Length > 0 && Path.IsPathRooted(path) && File.Exists(path)) registered.Add(path);
            }
        }
        var seen = new HashSet<(ulong, ulong)>();
        foreach (var path in own.Concat(registered))
        {
            if (Posix.Stat(path) is { } id && !seen.Add((id.Device, id.Inode))) continue;
            yield return path;
        }
    }
}
