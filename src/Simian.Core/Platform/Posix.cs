using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Simian.Core.Platform;

/// <summary>A file's identity and owner as the kernel sees them (statx), whatever path reached it.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, uint Uid, uint Mode)
{
    public bool IsRegularFile => (Mode & 0xF000) == 0x8000;

    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    public bool IsSymlink => (Mode & 0xF000) == 0xA000;

    public bool IsFifo => (Mode & 0xF000) == 0x1000;

    /// <summary>"a directory", "a FIFO", …: what the path is when it is not the regular file that was expected.</summary>
    public string KindText => (Mode & 0xF000) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0xA000 => "a symbolic link",
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "not a regular file",
    };
}

/// <summary>
/// The few POSIX calls .NET does not offer: statx (identity and owner), fsync of a directory, and open-file-
/// description locks (F_OFD_SETLK) that follow a file's inode rather than the path used to reach it. Linux only;
/// statx's buffer has the same layout on every architecture, unlike struct stat.
/// </summary>
public static partial class Posix
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;
    private const int FOfdGetlk = 36;
    private const int FOfdSetlk = 37;
    private const short FWrlck = 1;
    private const short FUnlck = 2;
    private const int EAgain = 11;
    private const int EAcces = 13;

    /// <summary>The uid this process runs as.</summary>
    public static uint EffectiveUid => geteuid();

    /// <summary>What is at <paramref name="path"/> without following a final symlink, or null when nothing is.</summary>
    public static FileIdentity? Lstat(string path) => Statx(AtFdCwd, path, AtSymlinkNoFollow);

    /// <summary>What <paramref name="path"/> leads to, following symlinks, or null when nothing is.</summary>
    public static FileIdentity? Stat(string path) => Statx(AtFdCwd, path, 0);

    /// <summary>
    /// Throws an <see cref="IOException"/> naming <paramref name="path"/> unless it leads to a regular file: a FIFO
    /// would block the open itself, a device could be read without end.
    /// </summary>
    public static void RequireRegularFile(string path, string what)
    {
        var id = Stat(path) ?? throw new FileNotFoundException($"{what} {path} does not exist", path);
        if (!id.IsRegularFile) throw new IOException($"{what} {path} is {id.KindText}, not a regular file");
    }

    /// <summary>The identity of an open file.</summary>
    public static FileIdentity Fstat(SafeFileHandle handle)
    {
        var fd = (int)handle.DangerousGetHandle();
        return Statx(fd, "", AtEmptyPath) ?? throw new IOException($"statx on an open file failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    private static unsafe FileIdentity? Statx(int dirFd, string path, int flags)
    {
        var buffer = stackalloc byte[256];
        if (statx(dirFd, path, flags, StatxBasicStats, buffer) != 0) return null;
        // struct statx: uid at 20, mode (u16) at 28, ino at 32, dev_major at 136, dev_minor at 140.
        var uid = *(uint*)(buffer + 20);
        var mode = *(ushort*)(buffer + 28);
        var ino = *(ulong*)(buffer + 32);
        var devMajor = *(uint*)(buffer + 136);
        var devMinor = *(uint*)(buffer + 140);
        return new FileIdentity(((ulong)devMajor << 32) | devMinor, ino, uid, mode);
    }

    /// <summary>
    /// Forces a directory's entries to disk, so that a file just created in it survives a power cut. Errors are
    /// thrown as <see cref="IOException"/> naming the directory.
    /// </summary>
    public static void FsyncDirectory(string directory)
    {
        var fd = open(directory, ORdOnly | ODirectory | OCloexec);
        if (fd < 0) throw new IOException($"cannot open folder {directory} to sync it: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"cannot sync folder {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>
    /// Takes an exclusive open-file-description lock on the whole file without waiting. The lock belongs to this
    /// open file, follows the inode (a symlink or hard link to the same file meets the same lock), is released when
    /// the handle closes or the process dies, and does not interact with .NET's own flock-based sharing checks.
    /// Returns false when another open file holds it.
    /// </summary>
    public static unsafe bool TryLockExclusive(SafeFileHandle handle)
    {
        // struct flock: l_type (short), l_whence (short), l_start (off_t at 8), l_len (off_t at 16), l_pid (int at 24).
        var flock = stackalloc byte[32];
        new Span<byte>(flock, 32).Clear();
        *(short*)flock = FWrlck;
        if (fcntl((int)handle.DangerousGetHandle(), FOfdSetlk, flock) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is EAgain or EAcces) return false;
        throw new IOException($"cannot lock file: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>
    /// Whether another open file holds the exclusive lock <see cref="TryLockExclusive"/> takes (F_OFD_GETLK: asks
    /// without taking anything, so a handle opened only for reading can ask).
    /// </summary>
    public static unsafe bool LockedByOther(SafeFileHandle handle)
    {
        var flock = stackalloc byte[32];
        new Span<byte>(flock, 32).Clear();
        *(short*)flock = FWrlck;
        if (fcntl((int)handle.DangerousGetHandle(), FOfdGetlk, flock) != 0)
        {
            throw new IOException($"cannot ask for the file's lock: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        return *(short*)flock != FUnlck;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static unsafe partial int fcntl(int fd, int cmd, byte* arg);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();
}
