using System.Diagnostics;

namespace Simian.Reliability.Tests.Support;

/// <summary>
/// A real, tiny tmpfs mounted for one test, so a disk really fills: no mock of the file system. Needs root (CI runs
/// as root); where mounting is not allowed the test says so and, outside CI, does not run.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts one, or returns null with why not. In CI a refusal is a failure, never a silent pass.</summary>
    public static SmallTmpfs? TryMount(int kibibytes, out string whyNot)
    {
        var dir = Directory.CreateTempSubdirectory("simian-tmpfs-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k,mode=0700", "tmpfs", dir);
        if (code == 0)
        {
            whyNot = "";
            return new SmallTmpfs(dir);
        }
        Directory.Delete(dir);
        whyNot = $"cannot mount a tmpfs here (mount exited {code}: {output.Trim()}); the full-disk tests need root";
        if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException(whyNot);
        return null;
    }

    /// <summary>Fills what is left with a file, until the file system says ENOSPC.</summary>
    public void Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Append, FileAccess.Write, FileShare.None, 1);
        var block = new byte[4096];
        try
        {
            while (true) filler.Write(block);
        }
        catch (IOException)
        {
        }
        try
        {
            while (true) filler.Write(block, 0, 1);
        }
        catch (IOException)
        {
        }
    }

    public void Free() => File.Delete(System.IO.Path.Combine(Path, "filler"));

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
